//! A strict CSV reader (RFC 4180, with '\n' record ends): a field is plain (no quote, comma or line
//! break in it) or quoted ("…", with "" for a quote inside); a quote anywhere else, a quoted field
//! left open or followed by anything but a comma or the record's end, and a record of another width
//! than the header are errors. For checking what steps.csv writes, not for reading arbitrary files.

/// The records (the header first), or what is wrong and where.
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let mut record = Vec::new();
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err(format!("line {line}: quoted field left open")),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            line += usize::from(c == '\n');
                            field.push(c);
                        }
                    }
                }
                if !matches!(chars.peek(), None | Some(',') | Some('\n')) {
                    return Err(format!("line {line}: text after a quoted field"));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    match c {
                        ',' | '\n' => break,
                        '"' => return Err(format!("line {line}: quote inside an unquoted field")),
                        '\r' => return Err(format!("line {line}: carriage return")),
                        _ => field.push(c),
                    }
                    chars.next();
                }
            }
            record.push(field);
            match chars.next() {
                Some(',') => continue,
                Some('\n') | None => break,
                Some(c) => return Err(format!("line {line}: unexpected {c:?}")),
            }
        }
        if let Some(h) = records.first() {
            if record.len() != h.len() {
                return Err(format!("line {line}: {} fields, the header has {}", record.len(), h.len()));
            }
        }
        records.push(record);
        line += 1;
    }
    Ok(records)
}
