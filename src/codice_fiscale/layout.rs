//! The layout of a personal codice fiscale (DM 23/12/1976): what each of its 16 positions may
//! hold, the omocode substitutions, the birth date's encoding, and the two check characters,
//! as lookup tables built when compiling.

/// Number of characters in a (personal) codice fiscale.
pub(super) const LEN: usize = 16;

/// Number of digits in a temporary codice fiscale.
pub(super) const TEMPORARY_LEN: usize = 11;

/// What the error message says was expected at every position of an
/// 11-character code.
pub(super) const TEMPORARY_DIGIT: &str = "a digit (a temporary codice fiscale has 11 digits)";

/// 0-based positions of the seven digits that omocodia may write as letters
/// (1-based: 7, 8, 10, 11, 13, 14, 15).
pub(super) const OMOCODE_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// The letters that stand for the digits 0-9 in an omocode.
pub(super) const OMOCODE_LETTERS: [u8; 10] = *b"LMNPQRSTUV";

/// What each of the 16 positions must hold.
#[derive(Clone, Copy)]
pub(super) enum Slot {
    /// A letter A-Z (surname, name, place letter).
    Letter,
    /// A digit, or an omocode letter standing for one.
    Digit,
    /// A month letter.
    Month,
    /// The check character, a letter A-Z.
    Check,
}

impl Slot {
    /// Whether the (already upper-cased) byte fits this slot.
    pub(super) fn accepts(self, b: u8) -> bool {
        lookup(&CLASSES, b) & self.class() != 0
    }

    /// The bit of [`CLASSES`] a byte must have to fit this slot.
    const fn class(self) -> u8 {
        match self {
            Slot::Letter | Slot::Check => LETTER,
            Slot::Digit => DIGIT,
            Slot::Month => MONTH,
        }
    }

    /// What the error message says was expected at this slot.
    pub(super) fn expected(self) -> &'static str {
        match self {
            Slot::Letter => "a letter (A-Z)",
            Slot::Digit => "a digit (0-9) or an omocode letter (L M N P Q R S T U V)",
            Slot::Month => "a month letter (A B C D E H L M P R S T)",
            Slot::Check => "a letter (A-Z), the check character",
        }
    }
}

/// The layout of the code, position by position.
pub(super) const LAYOUT: [Slot; LEN] = [
    Slot::Letter, // 1-3 surname
    Slot::Letter,
    Slot::Letter,
    Slot::Letter, // 4-6 name
    Slot::Letter,
    Slot::Letter,
    Slot::Digit, // 7-8 year
    Slot::Digit,
    Slot::Month, // 9 month
    Slot::Digit, // 10-11 day (+40 for women)
    Slot::Digit,
    Slot::Letter, // 12-15 place code
    Slot::Digit,
    Slot::Digit,
    Slot::Digit,
    Slot::Check, // 16 check character
];

/// The value of a digit position: a digit, or the omocode letter for one.
pub(super) const fn digit_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'L' => Some(0),
        b'M' => Some(1),
        b'N' => Some(2),
        b'P' => Some(3),
        b'Q' => Some(4),
        b'R' => Some(5),
        b'S' => Some(6),
        b'T' => Some(7),
        b'U' => Some(8),
        b'V' => Some(9),
        _ => None,
    }
}

/// The month (1-12) a month letter stands for.
pub(super) const fn month_number(b: u8) -> Option<u8> {
    match b {
        b'A' => Some(1),
        b'B' => Some(2),
        b'C' => Some(3),
        b'D' => Some(4),
        b'E' => Some(5),
        b'H' => Some(6),
        b'L' => Some(7),
        b'M' => Some(8),
        b'P' => Some(9),
        b'R' => Some(10),
        b'S' => Some(11),
        b'T' => Some(12),
        _ => None,
    }
}

/// A table of `$value` for every byte `$b`, built at compile time (an index out of bounds
/// there would be a build error, never a panic).
macro_rules! byte_table {
    (|$b:ident| $value:expr) => {{
        let mut table = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            let $b = i as u8;
            table[i] = $value;
            i += 1;
        }
        table
    }};
}

// Lookup tables, one entry a byte, built at compile time from the definitions above so that
// the two cannot disagree: the usual path (a stored, upper-case code parsed again) reads one
// table entry a character instead of running a `match` for each of its uses.

/// [`CLASSES`] bit: an upper-case letter A-Z (name letters, place letter, check character).
pub(super) const LETTER: u8 = 1;
/// [`CLASSES`] bit: a digit, or an omocode letter standing for one.
pub(super) const DIGIT: u8 = 2;
/// [`CLASSES`] bit: a month letter.
pub(super) const MONTH: u8 = 4;

/// What slots each byte fits: [`LETTER`], [`DIGIT`] and [`MONTH`] bits.
#[allow(clippy::indexing_slicing)]
pub(super) const CLASSES: [u8; 256] = byte_table!(|b| {
    let mut class = 0;
    if b.is_ascii_uppercase() {
        class |= LETTER;
    }
    if digit_value(b).is_some() {
        class |= DIGIT;
    }
    if month_number(b).is_some() {
        class |= MONTH;
    }
    class
});

/// The class bit each of the 16 positions wants, from [`LAYOUT`].
#[allow(clippy::indexing_slicing)]
pub(super) const LAYOUT_CLASSES: [u8; LEN] = {
    let mut classes = [0; LEN];
    let mut i = 0;
    while i < LEN {
        classes[i] = LAYOUT[i].class();
        i += 1;
    }
    classes
};

/// [`digit_value`] of each byte, 0 where it is none (never read then: `parse` rejects it).
#[allow(clippy::indexing_slicing)]
pub(super) const DIGIT_VALUES: [u8; 256] = byte_table!(|b| match digit_value(b) {
    Some(value) => value,
    None => 0,
});

/// [`month_number`] of each byte, 0 where it is none.
#[allow(clippy::indexing_slicing)]
pub(super) const MONTH_NUMBERS: [u8; 256] = byte_table!(|b| match month_number(b) {
    Some(month) => month,
    None => 0,
});

/// [`odd_value`] of each byte.
#[allow(clippy::indexing_slicing)]
pub(super) const ODD_VALUES: [u8; 256] = byte_table!(|b| odd_value(b));

/// [`even_value`] of each byte.
#[allow(clippy::indexing_slicing)]
pub(super) const EVEN_VALUES: [u8; 256] = byte_table!(|b| even_value(b));

/// The entry for `b`: an index below 256 is always in bounds, so this compiles to a load.
pub(super) fn lookup(table: &[u8; 256], b: u8) -> u8 {
    table.get(usize::from(b)).copied().unwrap_or(0)
}

/// A digit position's value once the code has been validated; 0 for anything else, which
/// `parse` rejected.
pub(super) fn digit(b: u8) -> u8 {
    lookup(&DIGIT_VALUES, b)
}

/// Two digit positions read as a number 0-99.
pub(super) fn two_digits(tens: u8, units: u8) -> u8 {
    digit(tens) * 10 + digit(units)
}

/// The last day of `month` (1-12) in a year ending in `year_in_century`; February has 29 days
/// whenever the two-digit year could belong to a leap year (`yy % 4 == 0`), since the century is
/// unknown. 0 for any other month. A table lookup, so that codes of every month take the same
/// path.
pub(super) fn longest_day(month: u8, year_in_century: u8) -> u8 {
    /// Indexed by the month, plus 16 in a year whose last two digits a leap year can have.
    const LONGEST_DAYS: [u8; 32] = [
        0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0, //
        0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0,
    ];
    let leap_possible = u8::from(year_in_century % 4 == 0);
    let index = usize::from(month & 15) | usize::from(leap_possible) << 4;
    LONGEST_DAYS.get(index).copied().unwrap_or(0)
}

/// Whether the full (proleptic Gregorian) `year` is a leap year.
pub(super) fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Value of a character at an odd (1-based) position; a digit is worth the
/// same as the letter with its index (0 as A, 1 as B, ...). The definition:
/// [`ODD_VALUES`] holds it for every byte.
pub(super) const fn odd_value(b: u8) -> u8 {
    match b {
        b'0' | b'A' => 1,
        b'1' | b'B' => 0,
        b'2' | b'C' => 5,
        b'3' | b'D' => 7,
        b'4' | b'E' => 9,
        b'5' | b'F' => 13,
        b'6' | b'G' => 15,
        b'7' | b'H' => 17,
        b'8' | b'I' => 19,
        b'9' | b'J' => 21,
        b'K' => 2,
        b'L' => 4,
        b'M' => 18,
        b'N' => 20,
        b'O' => 11,
        b'P' => 3,
        b'Q' => 6,
        b'R' => 8,
        b'S' => 12,
        b'T' => 14,
        b'U' => 16,
        b'V' => 10,
        b'W' => 22,
        b'X' => 25,
        b'Y' => 24,
        b'Z' => 23,
        _ => 0,
    }
}

/// Value of a character at an even (1-based) position: digits 0-9 are
/// 0-9, letters A-Z are 0-25. The definition: [`EVEN_VALUES`] holds it for
/// every byte.
pub(super) const fn even_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'A'..=b'Z' => b - b'A',
        _ => 0,
    }
}

/// The check character for the first 15 characters of a personal `code`
/// (the 16th is ignored). Unrolled by destructuring: no loop, no index.
pub(super) fn check_char(code: &[u8; LEN]) -> u8 {
    let [
        c1,
        c2,
        c3,
        c4,
        c5,
        c6,
        c7,
        c8,
        c9,
        c10,
        c11,
        c12,
        c13,
        c14,
        c15,
        _,
    ] = *code;
    let odd = |b| u16::from(lookup(&ODD_VALUES, b));
    let even = |b| u16::from(lookup(&EVEN_VALUES, b));
    let odd = odd(c1) + odd(c3) + odd(c5) + odd(c7) + odd(c9) + odd(c11) + odd(c13) + odd(c15);
    let even = even(c2) + even(c4) + even(c6) + even(c8) + even(c10) + even(c12) + even(c14);
    // The remainder is below 26, so the cast cannot truncate.
    b'A' + ((odd + even) % 26) as u8
}

/// The check digit (as an ASCII digit) for the first 10 digits of a
/// temporary `code`, as for a partita IVA: the digits at odd 1-based
/// positions count as they are, those at even positions are doubled, less 9
/// when the double is over 9; the check digit brings the sum to a multiple
/// of 10. Unrolled by destructuring, like [`check_char`].
pub(super) fn temporary_check_digit(code: &[u8; LEN]) -> u8 {
    let [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, ..] = *code;
    // `u16` and a wrapping subtraction: no overflow even for a non-digit,
    // which `parse` rejects before getting here.
    let value = |b: u8| u16::from(b.wrapping_sub(b'0'));
    let doubled = |b: u8| {
        let double = 2 * value(b);
        if double > 9 { double - 9 } else { double }
    };
    let sum = value(c1)
        + value(c3)
        + value(c5)
        + value(c7)
        + value(c9)
        + doubled(c2)
        + doubled(c4)
        + doubled(c6)
        + doubled(c8)
        + doubled(c10);
    // The result is below 10, so the cast cannot truncate.
    b'0' + ((10 - sum % 10) % 10) as u8
}
