//! Calendar facts that drive the peaks in cabin regions.

use chrono::NaiveDate;

/// Easter Sunday of a year in the Gregorian calendar (the anonymous Gregorian algorithm,
/// also known as Meeus/Jones/Butcher, valid for every Gregorian year).
///
/// Returns `None` only for years outside chrono's date range.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// assert_eq!(deltid::calendar::easter_sunday(2020), NaiveDate::from_ymd_opt(2020, 4, 12));
/// assert_eq!(deltid::calendar::easter_sunday(2024), NaiveDate::from_ymd_opt(2024, 3, 31));
/// ```
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_matches_published_dates() {
        // Published Easter Sundays (Norwegian almanac; also the holidays file in shared/data).
        let cases = [
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2020, 4, 12),
            (2021, 4, 4),
            (2038, 4, 25),
        ];
        for (y, m, d) in cases {
            assert_eq!(easter_sunday(y), NaiveDate::from_ymd_opt(y, m, d), "{y}");
        }
    }
}
