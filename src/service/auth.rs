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
    check_throttle(store, username)?;
    let token = check_password(store, username, password).await;
    record_attempt(store, username, token.is_ok());
    token
}

/// Failed logins in a row after which a user name is locked, and for how long.
const MAX_FAILURES: u32 = 5;
const LOCKOUT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

fn check_throttle(store: &Store, username: &str) -> Result<()> {
    let failures = store
        .login_failures
        .lock()
        .map_err(|_| Error::Internal("lock poisoned".into()))?;
    if let Some((_, Some(until))) = failures.get(username)
        && *until > std::time::Instant::now()
    {
        return Err(Error::Throttled("登录失败次数过多, 请 15 分钟后再试".into()));
    }
    Ok(())
}

fn record_attempt(store: &Store, username: &str, ok: bool) {
    let Ok(mut failures) = store.login_failures.lock() else {
        return;
    };
    if ok {
        failures.remove(username);
        return;
    }
    let entry = failures.entry(username.to_string()).or_insert((0, None));
    entry.0 += 1;
    if entry.0 >= MAX_FAILURES {
        *entry = (0, Some(std::time::Instant::now() + LOCKOUT));
        tracing::warn!("login locked after repeated failures");
    }
}

async fn check_password(store: &Store, username: &str, password: &str) -> Result<String> {
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
    Ok(authenticate_at(store, token).await?.0)
}

/// The actor behind a bearer token and the ledger version (账簿版本号) at that moment, read in
/// one query.
///
/// # Errors
/// [`Error::Unauthorized`] for an unknown, revoked or expired token.
pub async fn authenticate_at(store: &Store, token: &str) -> Result<(Actor, i64)> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = store.db.get_database_backend();
    let placeholder = if store.is_postgres() { "$1" } else { "?" };
    let sql = format!(
        "SELECT u.id AS user_id, u.username, u.role, u.region_code, t.revoked, t.expires_at, \
         (SELECT n FROM ledger_version WHERE id = 1) AS version \
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = {placeholder}"
    );
    let row = store
        .db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [token_hash(token).into()]))
        .await?
        .ok_or(Error::Unauthorized)?;
    let expires_at: String = row.try_get("", "expires_at")?;
    let expired = chrono::DateTime::parse_from_rfc3339(&expires_at).map_or(true, |t| t < chrono::Utc::now());
    if row.try_get::<bool>("", "revoked")? || expired {
        return Err(Error::Unauthorized);
    }
    let role: String = row.try_get("", "role")?;
    let role = Role::parse(&role).ok_or_else(|| Error::Internal(format!("bad role {role}")))?;
    let actor = Actor {
        user_id: row.try_get("", "user_id")?,
        username: row.try_get("", "username")?,
        role,
        region_code: row.try_get("", "region_code")?,
    };
    Ok((actor, row.try_get("", "version")?))
}

/// A user as `user list` shows them.
#[derive(Debug)]
pub struct UserRow {
    pub username: String,
    pub role: String,
    pub region_code: Option<String>,
    pub active_tokens: usize,
}

/// Every user, by name.
///
/// # Errors
/// A database error.
pub async fn list_users(store: &Store) -> Result<Vec<UserRow>> {
    use sea_orm::QueryOrder;
    let users = users::Entity::find()
        .order_by_asc(users::Column::Username)
        .all(&store.db)
        .await?;
    let now = chrono::Utc::now();
    let tokens = api_tokens::Entity::find()
        .filter(api_tokens::Column::Revoked.eq(false))
        .all(&store.db)
        .await?;
    Ok(users
        .into_iter()
        .map(|u| UserRow {
            active_tokens: tokens
                .iter()
                .filter(|t| {
                    t.user_id == u.id && chrono::DateTime::parse_from_rfc3339(&t.expires_at).is_ok_and(|e| e > now)
                })
                .count(),
            username: u.username,
            role: u.role,
            region_code: u.region_code,
        })
        .collect())
}

async fn find_user(store: &Store, username: &str) -> Result<users::Model> {
    users::Entity::find()
        .filter(users::Column::Username.eq(username))
        .one(&store.db)
        .await?
        .ok_or_else(|| Error::field("username", format!("用户 {username} 不存在")))
}

async fn revoke_tokens<C: sea_orm::ConnectionTrait>(db: &C, user_id: i32) -> Result<u64> {
    use sea_orm::sea_query::Expr;
    let done = api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::Revoked, Expr::value(true))
        .filter(api_tokens::Column::UserId.eq(user_id))
        .filter(api_tokens::Column::Revoked.eq(false))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Revokes every token of a user (`user revoke`).
///
/// # Errors
/// [`Error::Invalid`] for an unknown user.
pub async fn revoke(store: &Store, username: &str) -> Result<u64> {
    let user = find_user(store, username).await?;
    let w = store.write().await?;
    let n = revoke_tokens(&*w, user.id).await?;
    audit::append(&*w, &Actor::system("cli"), "user.revoke", "user", user.id, &(), &n).await?;
    w.commit().await?;
    Ok(n)
}

/// Sets a new password (`user passwd`) and revokes the user's tokens.
///
/// # Errors
/// [`Error::Invalid`] for an unknown user or a short password.
pub async fn set_password(store: &Store, username: &str, password: &str) -> Result<()> {
    if password.chars().count() < 8 {
        return Err(Error::field("password", "密码至少 8 位"));
    }
    let user = find_user(store, username).await?;
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| Error::Internal(e.to_string()))?
        .to_string();
    let w = store.write().await?;
    let mut am: users::ActiveModel = user.clone().into();
    am.password_hash = Set(hash);
    am.update(&*w).await?;
    revoke_tokens(&*w, user.id).await?;
    audit::append(&*w, &Actor::system("cli"), "user.passwd", "user", user.id, &(), &()).await?;
    w.commit().await
}
