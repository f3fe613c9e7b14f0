//! Renders relief-ledger documents from plain data. Nothing here touches the database: the service
//! gathers the rows, this crate turns them into bytes.

pub mod numerals;
pub mod pdf;
pub mod performance;
pub mod xlsx;

pub use performance::{Performance, PerformanceItem, TownshipRate};

/// One line of the payment roll for the bank (发放花名册).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub household_number: String,
    pub head_name: String,
    pub bank_account: String,
    pub amount_fen: i64,
}

/// Formats fen as yuan with two decimals and no thousands separator (`123456` → `"1234.56"`).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `payments.csv`: UTF-8, header `household_number,head_name,bank_account,amount`, one row per
/// household; the bank's control sum is the sum of the rows.
///
/// # Errors
/// A CSV writer error (none expected for in-memory output).
pub fn payments_csv(rows: &[PaymentRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["household_number", "head_name", "bank_account", "amount"])?;
    for r in rows {
        w.write_record([
            r.household_number.as_str(),
            &r.head_name,
            &r.bank_account,
            &yuan(r.amount_fen),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payment_roll_has_the_contract_header_and_plain_amounts() {
        let rows = vec![
            PaymentRow {
                household_number: "001".into(),
                head_name: "张三".into(),
                bank_account: "6217000000000000001".into(),
                amount_fen: 123_456_789,
            },
            PaymentRow {
                household_number: "002".into(),
                head_name: "李四, 之子".into(),
                bank_account: "6217000000000000002".into(),
                amount_fen: 5,
            },
        ];
        let text = String::from_utf8(payments_csv(&rows).unwrap()).unwrap();
        assert_eq!(
            text,
            "household_number,head_name,bank_account,amount\n001,张三,6217000000000000001,1234567.89\n002,\"李四, 之子\",6217000000000000002,0.05\n"
        );
    }
}
