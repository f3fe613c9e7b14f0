//! Idempotency keys (幂等键): the first successful answer to a POST that carried an
//! `Idempotency-Key` header, kept per caller, so that a retried request (a timeout, a double click)
//! gets that answer again instead of writing a second yield or payment.

use super::{Store, now_text};
use crate::domain::Result;
use entity::idempotency_keys;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

/// An answer as first given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    /// What the key was first used for (see [`digest`]).
    pub fingerprint: String,
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// SHA-256 over the parts, each followed by a unit separator, in hex.
pub fn digest(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// The answer remembered for this caller's key, if any.
///
/// # Errors
/// A database error.
pub async fn recall(store: &Store, caller: &str, key: &str) -> Result<Option<Remembered>> {
    Ok(idempotency_keys::Entity::find()
        .filter(idempotency_keys::Column::Caller.eq(caller))
        .filter(idempotency_keys::Column::Key.eq(key))
        .one(&store.db)
        .await?
        .map(|r| Remembered {
            fingerprint: r.fingerprint,
            status: u16::try_from(r.status).unwrap_or(200),
            content_type: r.content_type,
            body: r.body,
        }))
}

/// Keeps the answer for this caller's key.
///
/// # Errors
/// A database error (a key already kept fails on the unique index).
pub async fn remember(store: &Store, caller: &str, key: &str, answer: &Remembered) -> Result<()> {
    idempotency_keys::ActiveModel {
        caller: Set(caller.into()),
        key: Set(key.into()),
        fingerprint: Set(answer.fingerprint.clone()),
        status: Set(i32::from(answer.status)),
        content_type: Set(answer.content_type.clone()),
        body: Set(answer.body.clone()),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(&store.db)
    .await?;
    Ok(())
}
