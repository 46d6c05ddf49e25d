//! The SQLite pool, read at scrape time: connections open and idle, and the
//! most it may open. All connections in use means requests queue for one.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use sqlx::SqlitePool;

#[derive(Debug)]
struct Pool(SqlitePool);

/// Adds the pool gauges of `db` to `registry`.
pub(super) fn register(registry: &mut Registry, db: SqlitePool) {
    registry.register_collector(Box::new(Pool(db)));
}

impl Collector for Pool {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let open = i64::from(self.0.size());
        let idle = i64::try_from(self.0.num_idle()).unwrap_or(open).min(open);
        let mut family = encoder.encode_descriptor(
            "db_pool_connections",
            "SQLite pool connections by state (idle, in_use).",
            None,
            MetricType::Gauge,
        )?;
        ConstGauge::new(idle).encode(family.encode_family(&[("state", "idle")])?)?;
        ConstGauge::new(open - idle).encode(family.encode_family(&[("state", "in_use")])?)?;
        let max = i64::from(self.0.options().get_max_connections());
        let family = encoder.encode_descriptor(
            "db_pool_max_connections",
            "The most connections the SQLite pool opens.",
            None,
            MetricType::Gauge,
        )?;
        ConstGauge::new(max).encode(family)
    }
}
