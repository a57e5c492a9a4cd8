//! Amounts of money, in cents, as the shop writes them.

pub fn euros(cents: u64) -> String {
    format!("{}.{:02} EUR", cents / 100, cents % 100)
}
