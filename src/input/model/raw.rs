//! The syntax of a model file, as serde structs. Field names here are the
//! keys users write; `docs/model-format.md` documents each one.

use super::dist::{deserialize_dist, deserialize_opt_dist, DistSpec};
use crate::input::units::Duration;
use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub classes: Vec<RawClass>,
    /// Each component's table; parsed by its `kind` in a second step (see
    /// [`parse_component`]) so that errors inside it keep their position.
    #[serde(default)]
    pub components: IndexMap<String, toml::Table>,
    pub slo: Option<RawSlo>,
    /// Regions with user shares, latencies and failover timing.
    pub regions: Option<RawRegions>,
    /// Fixed monthly items and usage items (egress, requests) billed with the run.
    #[serde(default)]
    pub costs: Vec<RawCostItem>,
    /// Extra prices: a file relative to the model and inline `[[pricing.sku]]`.
    pub pricing: Option<RawPricing>,
    /// Named overlays (`[stages.MVP]`), applied by `capsim stages`; the base
    /// model ignores them (see `src/experiment/stages.rs`).
    #[serde(default)]
    pub stages: Option<toml::Table>,
}

/// `[pricing]`: prices merged over the shipped catalog for this model.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawPricing {
    /// A pricing file (TOML `[[sku]]` tables or catalog-style CSV), relative to the model.
    pub file: Option<String>,
    /// Inline SKUs or overrides (same fields as the catalog's columns).
    #[serde(default)]
    pub sku: Vec<capsim_cost::SkuOverride>,
}

/// One `[[costs]]` entry: a fixed monthly item (`quantity`) or a usage item (`usage`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCostItem {
    pub name: String,
    pub sku: String,
    /// Units held for the whole run (default 1); not with `usage`.
    pub quantity: Option<f64>,
    /// `egress` (response bytes) or `requests` (requests served).
    pub usage: Option<String>,
    pub discount: Option<RawDiscount>,
}

/// `discount = { type = "reserved", percent = 30 }`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawDiscount {
    /// `reserved`, `savings_plan` or `spot`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Percent off list price, 0..=100.
    pub percent: f64,
    /// Spot only: expected interruptions per replica-hour (informational).
    pub interruptions_per_hour: Option<f64>,
}

/// The billing keys every component may carry, whatever its kind.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawComponentCost {
    pub sku: Option<String>,
    pub discount: Option<RawDiscount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    pub name: String,
    /// Relative weight of this class in the traffic mix.
    pub share: f64,
    /// The component a request of this class enters first.
    pub entry: String,
    /// `read` (default) or `write`: how databases and caches treat it.
    pub op: Option<String>,
    /// Mean bytes per response of this class (for egress billing; default 0).
    pub response_bytes: Option<f64>,
}

/// `[regions]`: where users are and how far apart regions are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegions {
    /// Share of users per region, e.g. `{ us-east = 0.6, eu-west = 0.4 }`
    /// (normalised); the order is the regions' order.
    pub users: IndexMap<String, f64>,
    /// One-way latency between two regions: `{ "us-east:eu-west" = "40ms" }`.
    #[serde(default)]
    pub latency: IndexMap<String, Duration>,
    /// Health-check detection delay before a failed region is routed around.
    pub detection: Option<Duration>,
    /// DNS TTL: clients keep the failed region's address this long after detection.
    pub dns_ttl: Option<Duration>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSlo {
    pub mean: Option<Duration>,
    pub p50: Option<Duration>,
    pub p90: Option<Duration>,
    pub p95: Option<Duration>,
    pub p99: Option<Duration>,
    pub p999: Option<Duration>,
    /// Largest acceptable fraction of failed requests, e.g. 0.01.
    pub error_rate: Option<f64>,
}

/// One downstream call a handler makes, in order.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawCall {
    pub to: String,
    pub op: Option<String>,
    /// Times the call is made in sequence (default 1).
    pub count: Option<u32>,
    /// Probability that the call is made at all (default 1).
    pub probability: Option<f64>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawHandler {
    #[serde(deserialize_with = "deserialize_dist")]
    pub cpu: DistSpec,
    #[serde(default)]
    pub calls: Vec<RawCall>,
}

/// A component, by kind. Built once per file, so the size difference
/// between variants costs nothing worth a box.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum RawComponent {
    Edge(RawEdge),
    Service(RawService),
    Cache(RawCache),
    Pool(RawPool),
    Database(RawDatabase),
    Queue(RawQueue),
    External(RawExternal),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEdge {
    /// Fraction of requests served from the edge (default for every class).
    pub hit_ratio: Option<f64>,
    /// Per-class override of `hit_ratio`.
    #[serde(default)]
    pub hit_ratio_by_class: IndexMap<String, f64>,
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub latency: Option<DistSpec>,
    /// Where misses go.
    pub origin: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBalancer {
    pub policy: Option<String>,
    pub max_fails: Option<u32>,
    pub fail_timeout: Option<Duration>,
    #[serde(default)]
    pub weights: Vec<u32>,
    /// Peers tried per request on connection errors (0 = every peer).
    pub tries: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub replicas: Option<u32>,
    pub cores: Option<f64>,
    pub concurrency: Option<u32>,
    /// Bound of the per-replica accept queue; absent = unbounded.
    pub accept_queue: Option<u32>,
    pub timeout: Option<Duration>,
    /// `fcfs` (default) or `ps` (processor sharing).
    pub scheduling: Option<String>,
    pub memory_base_mib: Option<f64>,
    pub memory_per_request_mib: Option<f64>,
    pub balancer: Option<RawBalancer>,
    /// Shorthand for the default handler's CPU time.
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub cpu: Option<DistSpec>,
    /// Shorthand for the default handler's calls.
    pub calls: Option<Vec<RawCall>>,
    /// Per request class handlers; `default` applies to the others.
    #[serde(default)]
    pub handlers: IndexMap<String, RawHandler>,
    /// An autoscaling policy (the `capsim-autoscale` TOML, or `file = ...`).
    pub autoscale: Option<toml::Table>,
    /// CPU request per replica in cores (what HPA utilization is relative to).
    pub cpu_request: Option<f64>,
    /// Memory request per replica in MiB.
    pub memory_request_mib: Option<f64>,
    /// Time from the scale decision to the container running (pull + boot).
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub startup: Option<DistSpec>,
    /// App warm-up after the container starts, before it can pass readiness.
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub warmup: Option<DistSpec>,
    pub readiness: Option<RawReadiness>,
    /// Grace period for a removed replica to finish its in-flight requests.
    pub drain_grace: Option<Duration>,
    /// Availability zones the replicas are spread over (round robin).
    pub zones: Option<u32>,
    /// Nodes the replicas run on (cluster autoscaler), if modelled.
    pub nodes: Option<RawNodes>,
}

/// Nodes with a pod capacity and their own provisioning delay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNodes {
    pub pods_per_node: u32,
    /// From the unschedulable pod to the node ready (cluster autoscaler
    /// scan + cloud provisioning + registration).
    #[serde(deserialize_with = "deserialize_dist")]
    pub provision: DistSpec,
}

/// A Kubernetes readiness probe.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReadiness {
    pub initial_delay: Option<Duration>,
    pub period: Option<Duration>,
    pub success_threshold: Option<u32>,
    /// Delay until the endpoint receives traffic after the probe passes.
    pub endpoint_delay: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCache {
    pub hit_ratio: f64,
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub latency: Option<DistSpec>,
    /// Operations served at once; absent = unlimited.
    pub concurrency: Option<u32>,
    pub on_miss: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPool {
    /// `pgbouncer` (default) or `hikari`: which defaults apply.
    pub flavor: Option<String>,
    pub size: Option<u32>,
    pub max_clients: Option<u32>,
    pub reserve_size: Option<u32>,
    pub reserve_timeout: Option<Duration>,
    /// Longest wait for a connection; "0s" waits forever.
    pub wait_timeout: Option<Duration>,
    pub target: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatabase {
    /// Queries executing at once on each node.
    pub concurrency: Option<u32>,
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub read: Option<DistSpec>,
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub write: Option<DistSpec>,
    pub read_replicas: Option<u32>,
    /// `replicas` (default when there are replicas) or `primary`.
    pub read_from: Option<String>,
    pub replication_lag: Option<Duration>,
    /// Bound of each node's wait queue; absent = unbounded.
    pub queue_limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    pub workers: Option<u32>,
    pub concurrency: Option<u32>,
    #[serde(deserialize_with = "deserialize_dist")]
    pub work: DistSpec,
    #[serde(default)]
    pub calls: Vec<RawCall>,
    pub max_depth: Option<u32>,
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub enqueue_latency: Option<DistSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExternal {
    #[serde(deserialize_with = "deserialize_dist")]
    pub latency: DistSpec,
    pub concurrency: Option<u32>,
    pub queue_limit: Option<u32>,
}

/// Takes `region` (a string) and `regions` (a list) out of a component table.
pub fn take_component_regions(
    src: &crate::input::SourceFile,
    at: &crate::input::locate::KeyPath,
    table: &mut toml::Table,
) -> Result<(Option<String>, Option<Vec<String>>), crate::input::InputError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Part {
        region: Option<String>,
        regions: Option<Vec<String>>,
    }
    let mut part = toml::Table::new();
    for key in ["region", "regions"] {
        if let Some(v) = table.remove(key) {
            part.insert(key.to_string(), v);
        }
    }
    let p: Part = src.deserialize_part(at, part)?;
    Ok((p.region, p.regions))
}

/// Takes the billing keys (`sku`, `discount`) out of a component table, so the
/// kind-specific structs never see them.
pub fn take_component_cost(
    src: &crate::input::SourceFile,
    at: &crate::input::locate::KeyPath,
    table: &mut toml::Table,
) -> Result<RawComponentCost, crate::input::InputError> {
    let mut part = toml::Table::new();
    for key in ["sku", "discount"] {
        if let Some(v) = table.remove(key) {
            part.insert(key.to_string(), v);
        }
    }
    src.deserialize_part(at, part)
}

/// Parses a component table by its `kind` key, with errors located in `src`.
pub fn parse_component(
    src: &crate::input::SourceFile,
    at: &crate::input::locate::KeyPath,
    mut table: toml::Table,
) -> Result<RawComponent, crate::input::InputError> {
    const KINDS: &str = "edge, service, cache, pool, database, queue, external";
    let kind = match table.remove("kind") {
        Some(toml::Value::String(k)) => k,
        Some(other) => {
            return Err(src.error_at(
                &at.at("kind"),
                format!("found {other}, expected a string: one of {KINDS}"),
            ))
        }
        None => return Err(src.error_at(at, format!("missing `kind`, expected one of {KINDS}"))),
    };
    Ok(match kind.as_str() {
        "edge" => RawComponent::Edge(src.deserialize_part(at, table)?),
        "service" => RawComponent::Service(src.deserialize_part(at, table)?),
        "cache" => RawComponent::Cache(src.deserialize_part(at, table)?),
        "pool" => RawComponent::Pool(src.deserialize_part(at, table)?),
        "database" => RawComponent::Database(src.deserialize_part(at, table)?),
        "queue" => RawComponent::Queue(src.deserialize_part(at, table)?),
        "external" => RawComponent::External(src.deserialize_part(at, table)?),
        other => {
            return Err(src.error_at(
                &at.at("kind"),
                format!("found \"{other}\", expected one of {KINDS}"),
            ))
        }
    })
}
