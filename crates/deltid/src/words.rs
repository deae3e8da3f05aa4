//! Numbers and counts in words, as every message and table of deltid writes them.

/// Whole persons with a space between thousands, as in the plan's table: `9 682 355`.
///
/// # Examples
/// ```
/// assert_eq!(deltid::output::persons(-20_000), "-20 000");
/// assert_eq!(deltid::output::persons(9_682_355), "9 682 355");
/// ```
pub fn persons(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A figure in persons (or nights) as whole persons by the plan's rounding
/// ([`deltid_model::whole_persons`]: to the nearest millionth, then halves away from zero),
/// thousands spaced: `9 682 355`; a suppressed figure (NaN) as `:`.
pub(crate) fn whole(value: f64) -> String {
    if value.is_nan() {
        // A figure suppressed by small-count protection (never shown as 0).
        return ":".to_owned();
    }
    persons(deltid_model::whole_persons(value))
}

/// "1 day", "2 days".
pub(crate) fn count(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_groups_thousands_with_spaces() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1 000"),
            (-1_000, "-1 000"),
            (46_724, "46 724"),
            (9_682_355, "9 682 355"),
            (-123_456_789, "-123 456 789"),
        ];
        for (value, expected) in cases {
            assert_eq!(persons(value), expected);
        }
    }
}
