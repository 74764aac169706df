use super::*;

#[test]
fn rates_as_the_rationals_they_stand_for() {
    assert_eq!(exact_rate(1e9 / 33_333_333.0), 30.0);
    assert_eq!(exact_rate(30.0), 30.0);
    assert_eq!(exact_rate(1e9 / 33_366_667.0), 30_000.0 / 1001.0);
    assert_eq!(exact_rate(90_000.0 / 3003.0), 30_000.0 / 1001.0);
    assert_eq!(exact_rate(1e9 / 4_166_667.0), 240.0);
    assert_eq!(exact_rate(30.3), 30.3);
}
