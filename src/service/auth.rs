//! Users and sessions (用户与登录): argon2 password hashes; bearer tokens that are random, shown
//! once, and stored only as their SHA-256.

use super::{Actor, Store, audit, now_text};
use crate::domain::region::check_code;
use crate::domain::vocab::Role;
use crate::domain::{Error, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use entity::{api_tokens, users};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use sha2::{Digest, Sha256};

/// How long a token lives.
const TOKEN_HOURS: i64 = 12;

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Adds a user (`relief-ledger user add`). The region is checked for form only: users may be added
/// before the demo seeds the regions.
///
/// # Errors
/// [`Error::Invalid`] for a bad role/region/password, [`Error::Conflict`] for a taken name.
pub async fn add_user(store: &Store, username: &str, role: Role, region: Option<&str>, password: &str) -> Result<i32> {
    if username.trim().is_empty() {
        return Err(Error::field("username", "用户名不能为空"));
    }
    if password.chars().count() < 8 {
        return Err(Error::field("password", "密码至少 8 位"));
    }
    match (role, region) {
        (Role::Admin, _) => {}
        (_, None) => return Err(Error::field("region", "该角色必须指定区划 (--region)")),
        (_, Some(code)) => check_code(code, "region")?,
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| Error::Internal(e.to_string()))?
        .to_string();
    let w = store.write().await?;
    if users::Entity::find()
        .filter(users::Column::Username.eq(username))
        .one(&*w)
        .await?
        .is_some()
    {
        return Err(Error::conflict_on(
            "duplicate",
            "username",
            format!("用户 {username} 已存在"),
        ));
    }
    let user = users::ActiveModel {
        username: Set(username.to_string()),
        password_hash: Set(hash),
        role: Set(role.as_str().to_string()),
        region_code: Set(region.map(str::to_string)),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(&*w)
    .await?;
    let after = json!({"username": username, "role": role, "region_code": region});
    audit::append(&*w, &Actor::system("cli"), "user.add", "user", user.id, &(), &after).await?;
    w.commit().await?;
    Ok(user.id)
}

/// Checks a password and issues a token.
///
/// # Errors
/// [`Error::Unauthorized`] for an unknown user or a wrong password.
pub async fn login(store: &Store, username: &str, password: &str) -> Result<String> {
    let user = users::Entity::find()
        .filter(users::Column::Username.eq(username))
        .one(&store.db)
        .await?;
    let Some(user) = user else {
        return Err(Error::Unauthorized);
    };
    let parsed = PasswordHash::new(&user.password_hash).map_err(|e| Error::Internal(e.to_string()))?;
    if Argon2::default().verify_password(password.as_bytes(), &parsed).is_err() {
        return Err(Error::Unauthorized);
    }
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = chrono::Utc::now();
    let w = store.write().await?;
    api_tokens::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now_text()),
        expires_at: Set((now + chrono::Duration::hours(TOKEN_HOURS)).to_rfc3339()),
        revoked: Set(false),
        ..Default::default()
    }
    .insert(&*w)
    .await?;
    w.commit().await?;
    Ok(token)
}

/// The actor behind a bearer token.
///
/// # Errors
/// [`Error::Unauthorized`] for an unknown, revoked or expired token.
pub async fn authenticate(store: &Store, token: &str) -> Result<Actor> {
    let row = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(token_hash(token)))
        .one(&store.db)
        .await?
        .ok_or(Error::Unauthorized)?;
    let expired = chrono::DateTime::parse_from_rfc3339(&row.expires_at).map_or(true, |t| t < chrono::Utc::now());
    if row.revoked || expired {
        return Err(Error::Unauthorized);
    }
    let user = users::Entity::find_by_id(row.user_id)
        .one(&store.db)
        .await?
        .ok_or(Error::Unauthorized)?;
    let role = Role::parse(&user.role).ok_or_else(|| Error::Internal(format!("bad role {}", user.role)))?;
    Ok(Actor {
        user_id: user.id,
        username: user.username,
        role,
        region_code: user.region_code,
    })
}
