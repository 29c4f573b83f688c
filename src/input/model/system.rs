//! The checked, immutable description of a system that the simulator runs.
//! Names are resolved to small integer ids; durations are nanoseconds.

use super::dist::Dist;

/// Index of a component in [`System::components`].
pub type CompId = u32;
/// Index of a request class in [`System::classes`].
pub type ClassId = u16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Read,
    Write,
}

impl Op {
    pub fn parse(s: &str) -> Result<Op, String> {
        match s {
            "read" => Ok(Op::Read),
            "write" => Ok(Op::Write),
            other => Err(format!("found \"{other}\", expected \"read\" or \"write\"")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct System {
    pub name: String,
    pub description: String,
    pub classes: Vec<Class>,
    pub components: Vec<Component>,
    pub slo: Slo,
    /// Prices and billing items (`sku`, `[[costs]]`, `[pricing]`).
    pub cost: CostModel,
    /// Regions (empty: a single-region model).
    pub regions: Regions,
}

/// Regions: user shares, one-way latencies, failover timing.
#[derive(Clone, Debug, Default)]
pub struct Regions {
    pub names: Vec<String>,
    /// Probability that a user is in each region.
    pub users: Vec<f64>,
    /// One-way latency between regions, ns (`latency[a][b]`).
    pub latency_ns: Vec<Vec<u64>>,
    /// From a region's failure to clients reaching another region:
    /// health-check detection plus DNS TTL.
    pub failover_ns: u64,
}

impl Regions {
    pub fn is_multi(&self) -> bool {
        !self.names.is_empty()
    }
}

/// Everything billing needs besides the run's results: the price catalog (shipped,
/// plus the model's `[pricing]`, plus `--pricing`) and the `[[costs]]` items.
/// Component SKUs live on [`Component::cost`], response sizes on [`Class`].
#[derive(Clone, Debug, Default)]
pub struct CostModel {
    pub catalog: capsim_cost::Catalog,
    pub items: Vec<CostItem>,
}

/// A `[[costs]]` entry.
#[derive(Clone, Debug)]
pub struct CostItem {
    pub name: String,
    pub sku: String,
    pub usage: CostUsage,
    pub discount: Option<capsim_cost::Discount>,
}

/// How a `[[costs]]` entry is metered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CostUsage {
    /// Units held for the whole run (plans, hosts, GB stored).
    Fixed(f64),
    /// Response bytes (completed requests x class `response_bytes`).
    Egress,
    /// Requests served.
    Requests,
}

/// A component's `sku` and `discount`.
#[derive(Clone, Debug)]
pub struct ComponentCost {
    pub sku: String,
    pub discount: Option<capsim_cost::Discount>,
}

impl System {
    /// True when the model names any SKU (on a component or in `[[costs]]`);
    /// only then are cost outputs written.
    pub fn has_cost(&self) -> bool {
        !self.cost.items.is_empty() || self.components.iter().any(|c| c.cost.is_some())
    }

    /// The component named `name`; for a component replicated by region,
    /// its plain name gives the first instance (`name@<first region>`).
    pub fn component_id(&self, name: &str) -> Option<CompId> {
        let prefix = format!("{name}@");
        self.components
            .iter()
            .position(|c| c.name == name)
            .or_else(|| {
                self.components
                    .iter()
                    .position(|c| c.name.starts_with(&prefix) && !c.siblings.is_empty())
            })
            .map(|i| i as CompId)
    }
}

#[derive(Clone, Debug)]
pub struct Class {
    pub name: String,
    /// Probability of this class (shares normalised to sum to 1).
    pub probability: f64,
    pub entry: CompId,
    pub op: Op,
    /// Mean bytes per response, for egress billing (0 when not given).
    pub response_bytes: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Slo {
    pub mean_ns: Option<u64>,
    pub p50_ns: Option<u64>,
    pub p90_ns: Option<u64>,
    pub p95_ns: Option<u64>,
    pub p99_ns: Option<u64>,
    pub p999_ns: Option<u64>,
    pub error_rate: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Component {
    pub name: String,
    pub kind: ComponentKind,
    /// Region the component runs in (`None`: everywhere / no regions).
    pub region: Option<u8>,
    /// Instances of the same component in other regions (including this
    /// one), in region order; empty when it is not replicated by region.
    pub siblings: Vec<CompId>,
    /// `sku` and `discount`, when the component is billed.
    pub cost: Option<ComponentCost>,
}

impl Component {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ComponentKind::Edge(_) => "edge",
            ComponentKind::Service(_) => "service",
            ComponentKind::Cache(_) => "cache",
            ComponentKind::Pool(_) => "pool",
            ComponentKind::Database(_) => "database",
            ComponentKind::Queue(_) => "queue",
            ComponentKind::External(_) => "external",
        }
    }
}

/// Built once per run and only read afterwards, so the size difference
/// between variants costs nothing worth a box.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum ComponentKind {
    Edge(Edge),
    Service(Service),
    Cache(Cache),
    Pool(Pool),
    Database(Database),
    Queue(JobQueue),
    External(External),
}

#[derive(Clone, Debug)]
pub struct Call {
    pub to: CompId,
    /// `None`: the request's own operation.
    pub op: Option<Op>,
    pub count: u32,
    pub probability: f64,
}

#[derive(Clone, Debug)]
pub struct Handler {
    pub cpu: Dist,
    pub calls: Vec<Call>,
}

#[derive(Clone, Debug)]
pub struct Edge {
    /// Hit ratio per class id.
    pub hit_ratio: Vec<f64>,
    pub latency: Dist,
    pub origin: Option<CompId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BalancePolicy {
    /// nginx smooth weighted round robin.
    RoundRobin,
    /// Fewest connections per weight; ties by round robin.
    LeastConn,
    /// Weighted random.
    Random,
    /// Two weighted random picks, keep the one with fewer connections per weight.
    PowerOfTwo,
    /// nginx ip_hash on the client's address.
    IpHash,
}

impl BalancePolicy {
    pub fn parse(s: &str) -> Result<Self, String> {
        Ok(match s {
            "round_robin" => Self::RoundRobin,
            "least_conn" => Self::LeastConn,
            "random" => Self::Random,
            "p2c" | "power_of_two" => Self::PowerOfTwo,
            "ip_hash" => Self::IpHash,
            other => {
                return Err(format!(
                "found \"{other}\", expected one of round_robin, least_conn, random, p2c, ip_hash"
            ))
            }
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::RoundRobin => "round_robin",
            Self::LeastConn => "least_conn",
            Self::Random => "random",
            Self::PowerOfTwo => "p2c",
            Self::IpHash => "ip_hash",
        }
    }
}

#[derive(Clone, Debug)]
pub struct BalancerConfig {
    pub policy: BalancePolicy,
    /// nginx `max_fails` (0 disables passive health checks).
    pub max_fails: u32,
    pub fail_timeout_ns: u64,
    /// Weight of replica i (replicas beyond the list weigh 1).
    pub weights: Vec<u32>,
    /// Peers tried per request on connection errors (0 = all).
    pub tries: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheduling {
    /// Each in-flight request waits for a whole core (FIFO), then runs.
    Fcfs,
    /// All in-flight requests share the cores equally.
    ProcessorSharing,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub replicas: u32,
    /// CPU capacity of one replica, in cores (may be fractional, e.g. 0.5).
    pub cores: f64,
    pub concurrency: u32,
    /// `None` = unbounded accept queue.
    pub accept_queue: Option<u32>,
    pub timeout_ns: Option<u64>,
    pub scheduling: Scheduling,
    pub memory_base_mib: f64,
    pub memory_per_request_mib: f64,
    pub balancer: BalancerConfig,
    /// Handler per class id (`None`: the class never reaches this service).
    pub handlers: Vec<Option<Handler>>,
    pub autoscale: Option<capsim_autoscale::Policy>,
    pub provisioning: Provisioning,
    pub cpu_request_milli: u64,
    pub memory_request_mib: f64,
    pub zones: u32,
    /// `(pods per node, node provisioning delay)` when nodes are modelled.
    pub nodes: Option<(u32, Dist)>,
}

/// How a new replica comes to serve, and how a removed one leaves.
#[derive(Clone, Debug)]
pub struct Provisioning {
    /// Decision to container running (image pull + boot).
    pub startup: Dist,
    /// Container running to the app answering.
    pub warmup: Dist,
    pub initial_delay_ns: u64,
    pub period_ns: u64,
    pub success_threshold: u32,
    pub endpoint_delay_ns: u64,
    pub drain_grace_ns: u64,
}

impl Provisioning {
    /// When a replica decided at `decided_ns` serves, given its sampled
    /// startup and warm-up: the first probe at or after both the initial
    /// delay and the warm-up (probes tick every period from container
    /// start), then `success_threshold - 1` more periods, then the endpoint
    /// propagation (reference §6).
    pub fn ready_at(&self, decided_ns: u64, startup_ns: u64, warmup_ns: u64) -> u64 {
        let start = decided_ns.saturating_add(startup_ns);
        let earliest = self.initial_delay_ns.max(warmup_ns);
        let period = self.period_ns.max(1);
        let ticks = earliest.div_ceil(period);
        start
            .saturating_add(ticks.saturating_mul(period))
            .saturating_add((self.success_threshold.max(1) as u64 - 1).saturating_mul(period))
            .saturating_add(self.endpoint_delay_ns)
    }
}

#[derive(Clone, Debug)]
pub struct Cache {
    pub hit_ratio: f64,
    pub latency: Dist,
    pub concurrency: Option<u32>,
    pub on_miss: Option<CompId>,
}

#[derive(Clone, Debug)]
pub struct Pool {
    pub size: u32,
    /// `None` = no limit on clients (HikariCP).
    pub max_clients: Option<u32>,
    pub reserve_size: u32,
    pub reserve_timeout_ns: u64,
    /// `None` = wait forever.
    pub wait_timeout_ns: Option<u64>,
    pub target: CompId,
}

#[derive(Clone, Debug)]
pub struct Database {
    pub concurrency: u32,
    pub read: Dist,
    pub write: Dist,
    pub read_replicas: u32,
    pub reads_on_replicas: bool,
    pub replication_lag_ns: u64,
    pub queue_limit: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct JobQueue {
    pub workers: u32,
    pub concurrency: u32,
    pub work: Dist,
    pub calls: Vec<Call>,
    pub max_depth: Option<u32>,
    pub enqueue_latency: Dist,
}

#[derive(Clone, Debug)]
pub struct External {
    pub latency: Dist,
    pub concurrency: Option<u32>,
    pub queue_limit: Option<u32>,
}
