//! Which leg: left or right, the runner's own (not the image's).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
    /// Landmark index of the left one + this.
    pub(crate) fn offset(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }
}
