//! Holds one group's lock until the process is killed, using only the library:
//! `hold_lock ENDPOINT SERVICE GROUP OWNER TTL_SECONDS`.
//!
//! The tests kill it to show that a dead holder's lock frees itself once its lease expires.

use std::time::Duration;

use theseus::etcd::{Driver, Options};
use theseus::names::GroupKey;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, service, group, owner, ttl] = args.as_slice() else {
        anyhow::bail!("usage: hold_lock ENDPOINT SERVICE GROUP OWNER TTL_SECONDS");
    };
    let driver = Driver::connect(&Options::new([endpoint.clone()])).await?;
    let ttl = Duration::from_secs(ttl.parse()?);
    let key = GroupKey::new(service, group)?;
    let _lock = driver.lock_group_with_ttl(&key, owner, Duration::from_secs(30), ttl).await?;
    std::future::pending::<()>().await;
    Ok(())
}
