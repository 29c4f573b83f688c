//! What a controller sees (an [`Observation`]) and what it answers (a [`Decision`]).
//!
//! These are the only types shared with the simulator and with `capsim replay`: the
//! controllers never look at anything else, which is what makes them replayable.

/// Lifecycle phase of one pod/replica, as the HPA's pod grouping distinguishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodPhase {
    /// Scheduled or starting (image pull, container start). Set aside for every metric.
    Pending,
    /// Containers running; may or may not be Ready (see [`PodSample::ready`]).
    Running,
    /// Being deleted or failed (deletionTimestamp set). Its metrics are ignored.
    Terminating,
}

/// One replica as seen at an observation instant.
#[derive(Debug, Clone, PartialEq)]
pub struct PodSample {
    /// Lifecycle phase; the simulator reports a starting replica as `Pending` until its
    /// containers run, then `Running`.
    pub phase: PodPhase,
    /// The pod's Ready condition (readiness probe passed, serving traffic).
    pub ready: bool,
    /// When the pod started (its `status.startTime`), in ns of simulation time.
    pub started_ns: u64,
    /// Last transition of the Ready condition (became ready, or became unready), in ns;
    /// `None` while the condition was never set. The HPA's CPU readiness rules read it.
    pub ready_transition_ns: Option<u64>,
    /// CPU in use over the last metric window, millicores; `None` = no sample.
    pub cpu_usage_milli: Option<u64>,
    /// CPU request, millicores; `0` = no request (CPU utilization then fails, as in K8s).
    pub cpu_request_milli: u64,
    /// Memory working set, bytes; `None` = no sample.
    pub memory_usage_bytes: Option<u64>,
    /// Memory request, bytes; `0` = no request.
    pub memory_request_bytes: u64,
    /// Per-pod custom metrics by name, e.g. `("rps", Some(42.0))`; `None` = no sample.
    pub pods_metrics: Vec<(String, Option<f64>)>,
}

impl PodSample {
    /// A running, ready pod with the given CPU/memory requests and no samples yet.
    pub fn ready_pod(started_ns: u64, cpu_request_milli: u64, memory_request_bytes: u64) -> Self {
        PodSample {
            phase: PodPhase::Running,
            ready: true,
            started_ns,
            ready_transition_ns: Some(started_ns),
            cpu_usage_milli: None,
            cpu_request_milli,
            memory_usage_bytes: None,
            memory_request_bytes,
            pods_metrics: Vec::new(),
        }
    }

    /// The sample of Pods metric `name`, if the pod reported one.
    pub fn pod_metric(&self, name: &str) -> Option<f64> {
        self.pods_metrics
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| *v)
    }

    /// Running and Ready: the pods a cloud balancer would send traffic to.
    pub fn in_service(&self) -> bool {
        self.phase == PodPhase::Running && self.ready
    }
}

/// Everything a controller may read at one reconcile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observation {
    /// Simulation time of the reconcile, ns.
    pub now_ns: u64,
    /// The replica count last written to the scale target (`scale.spec.replicas`), which
    /// is what the HPA calls "current". Not the ready count.
    pub spec_replicas: u32,
    /// Every pod of the target, including starting and terminating ones.
    pub pods: Vec<PodSample>,
    /// Object/External metrics by name, e.g. `("queue_depth", Some(120.0))`,
    /// `("p95_latency_ms", ..)`, `("pool_utilization", ..)`; `None` = unavailable.
    pub external: Vec<(String, Option<f64>)>,
}

impl Observation {
    /// The value of External/Object metric `name`, if available.
    pub fn external(&self, name: &str) -> Option<f64> {
        self.external
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| *v)
    }

    /// Number of Running and Ready pods.
    pub fn ready_count(&self) -> u32 {
        count_u32(self.pods.iter().filter(|p| p.in_service()))
    }

    /// An instance-average value of metric `name` over the pods `keep` selects, the way
    /// cloud monitoring aggregates it (used by target tracking, step and threshold rules):
    /// `cpu`/`memory` = Σusage/Σrequest × 100 (percent); a Pods metric = mean of the
    /// samples; `rpm` falls back to `rps × 60`; anything else = the External value.
    /// `None` when no pod (or the external source) reported a value.
    pub fn aggregate(&self, name: &str, keep: impl Fn(&PodSample) -> bool) -> Option<f64> {
        let pods = self.pods.iter().filter(|p| keep(p));
        match name {
            "cpu" => ratio_percent(pods.filter_map(|p| {
                p.cpu_usage_milli
                    .map(|u| (u as f64, p.cpu_request_milli as f64))
            })),
            "memory" => ratio_percent(pods.filter_map(|p| {
                p.memory_usage_bytes
                    .map(|u| (u as f64, p.memory_request_bytes as f64))
            })),
            _ => {
                let samples: Vec<f64> = pods.clone().filter_map(|p| p.pod_metric(name)).collect();
                if !samples.is_empty() {
                    return Some(samples.iter().sum::<f64>() / samples.len() as f64);
                }
                if let Some(v) = self.external(name) {
                    return Some(v);
                }
                if name == "rpm" {
                    let rps: Vec<f64> = pods.filter_map(|p| p.pod_metric("rps")).collect();
                    if !rps.is_empty() {
                        return Some(rps.iter().sum::<f64>() * 60.0 / rps.len() as f64);
                    }
                }
                None
            }
        }
    }
}

fn ratio_percent(it: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut used, mut req, mut n) = (0.0, 0.0, 0);
    for (u, r) in it {
        used += u;
        req += r;
        n += 1;
    }
    (n > 0 && req > 0.0).then(|| used * 100.0 / req)
}

pub(crate) fn count_u32<T>(it: impl Iterator<Item = T>) -> u32 {
    u32::try_from(it.count()).unwrap_or(u32::MAX)
}

/// What a controller decided at one reconcile.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Time of the reconcile, ns (copied from the observation).
    pub now_ns: u64,
    /// The replica count the controller started from (`spec_replicas`).
    pub current: u32,
    /// The raw recommendation from the metrics, before stabilization, rate limits,
    /// cooldowns and min/max (equals `current` when nothing could be computed).
    pub proposal: u32,
    /// The replica count the controller sets; the caller scales to this.
    pub desired: u32,
    /// Why: which metric drove the proposal and what limited it, in words.
    pub reason: String,
    /// The metric values the controller read, by metric name (`cpu` in percent of
    /// request, Pods metrics as per-pod averages, External metrics as values).
    pub metrics: Vec<(String, f64)>,
}

impl Decision {
    /// True when the controller changes the replica count.
    pub fn scales(&self) -> bool {
        self.desired != self.current
    }
}
