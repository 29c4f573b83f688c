//! From file syntax to a checked [`System`]: names become ids, defaults are
//! filled in, and every problem is reported with its file position.

use super::dist::{Dist, DistContext, DistSpec};
use super::raw::*;
use super::system::*;
use crate::input::locate::KeyPath;
use crate::input::{InputErrors, SourceFile};
use capsim_cost::unit::Dimension;
use std::collections::BTreeMap;
use std::path::Path;

/// Reads, parses and checks a model file.
pub fn load_model(path: &Path) -> Result<System, InputErrors> {
    load_model_with_pricing(path, None)
}

/// Like [`load_model`], with a `--pricing` file merged over the catalog last (after
/// the model's own `[pricing]`), so SKUs it defines can be named by the model.
pub fn load_model_with_pricing(path: &Path, pricing: Option<&Path>) -> Result<System, InputErrors> {
    let src = SourceFile::read(path)?;
    let raw: RawModel = src.deserialize()?;
    resolve_model_with_pricing(&src, raw, pricing)
}

/// Checks a parsed model. All problems are collected, not just the first.
pub fn resolve_model(src: &SourceFile, raw: RawModel) -> Result<System, InputErrors> {
    resolve_model_with_pricing(src, raw, None)
}

/// [`resolve_model`] with an extra pricing file (see [`load_model_with_pricing`]).
pub fn resolve_model_with_pricing(
    src: &SourceFile,
    raw: RawModel,
    pricing: Option<&Path>,
) -> Result<System, InputErrors> {
    let mut r = Resolver {
        src,
        errors: InputErrors::default(),
        base_dir: src.path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        ids: BTreeMap::new(),
        class_ids: BTreeMap::new(),
        catalog: capsim_cost::Catalog::empty(),
        cli_pricing: pricing.map(Path::to_path_buf),
    };
    r.run(raw)
}

struct Resolver<'a> {
    src: &'a SourceFile,
    errors: InputErrors,
    base_dir: std::path::PathBuf,
    ids: BTreeMap<String, CompId>,
    class_ids: BTreeMap<String, ClassId>,
    /// Shipped prices plus the model's `[pricing]` and `--pricing`.
    catalog: capsim_cost::Catalog,
    cli_pricing: Option<std::path::PathBuf>,
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Resolver<'_> {
    fn err(&mut self, path: &KeyPath, msg: impl Into<String>) {
        let e = self.src.error_at(path, msg);
        self.errors.push(e);
    }

    fn dist(&mut self, path: &KeyPath, spec: &DistSpec) -> Dist {
        let ctx = DistContext {
            base_dir: &self.base_dir,
        };
        match spec.resolve(&ctx) {
            Ok(d) => d,
            Err(m) => {
                self.err(path, m);
                Dist::Constant(0)
            }
        }
    }

    fn opt_dist(&mut self, path: &KeyPath, spec: &Option<DistSpec>, default_ns: u64) -> Dist {
        match spec {
            Some(s) => self.dist(path, s),
            None => Dist::Constant(default_ns),
        }
    }

    fn comp_ref(&mut self, path: &KeyPath, name: &str) -> CompId {
        match self.ids.get(name) {
            Some(&id) => id,
            None => {
                let known: Vec<&str> = self.ids.keys().map(String::as_str).collect();
                self.err(
                    path,
                    format!(
                        "found \"{name}\", which is not a component; expected one of: {}",
                        known.join(", ")
                    ),
                );
                0
            }
        }
    }

    fn op(&mut self, path: &KeyPath, s: &Option<String>) -> Option<Op> {
        match s {
            None => None,
            Some(s) => match Op::parse(s) {
                Ok(op) => Some(op),
                Err(m) => {
                    self.err(path, m);
                    None
                }
            },
        }
    }

    fn fraction(&mut self, path: &KeyPath, v: f64) -> f64 {
        if !(0.0..=1.0).contains(&v) {
            self.err(
                path,
                format!("found {v}, expected a probability between 0 and 1"),
            );
            return v.clamp(0.0, 1.0);
        }
        v
    }

    fn positive_u32(&mut self, path: &KeyPath, v: Option<u32>, default: u32) -> u32 {
        match v {
            Some(0) => {
                self.err(path, "found 0, expected a whole number of 1 or more");
                1
            }
            Some(v) => v,
            None => default,
        }
    }

    fn run(&mut self, raw: RawModel) -> Result<System, InputErrors> {
        let root = KeyPath::root();
        let regions = self.regions(raw.regions.as_ref());
        // Components deployed in several regions become one instance per
        // region, `name@region`; the plain name refers to the first.
        let mut raw = raw;
        let mut origin: BTreeMap<String, String> = BTreeMap::new();
        let mut placed: BTreeMap<String, Option<u8>> = BTreeMap::new();
        let mut expanded = indexmap::IndexMap::new();
        let mut aliases: Vec<(String, String)> = Vec::new();
        for (name, table) in std::mem::take(&mut raw.components) {
            let path = root.at("components").at(&name);
            let mut table = table;
            let (one, many) = match take_component_regions(self.src, &path, &mut table) {
                Ok(x) => x,
                Err(e) => {
                    self.errors.push(e);
                    (None, None)
                }
            };
            let region_id = |r: &str, me: &mut Self, key: &str| -> Option<u8> {
                let id = regions.names.iter().position(|n| n == r);
                if id.is_none() {
                    me.err(
                        &path.at(key),
                        format!(
                            "found region \"{r}\", expected one of the [regions.users]: {}",
                            regions.names.join(", ")
                        ),
                    );
                }
                id.map(|i| i as u8)
            };
            match (one, many) {
                (Some(_), Some(_)) => {
                    self.err(&path, "give either `region` or `regions`, not both")
                }
                (None, Some(list)) if !list.is_empty() => {
                    for (k, r) in list.iter().enumerate() {
                        let inst = format!("{name}@{r}");
                        if k == 0 {
                            aliases.push((name.clone(), inst.clone()));
                        }
                        placed.insert(inst.clone(), region_id(r, self, "regions"));
                        origin.insert(inst.clone(), name.clone());
                        expanded.insert(inst, table.clone());
                    }
                    continue;
                }
                (Some(r), None) => {
                    placed.insert(name.clone(), region_id(&r, self, "region"));
                }
                _ => {}
            }
            origin.insert(name.clone(), name.clone());
            expanded.insert(name, table);
        }
        raw.components = expanded;
        // Ids first, so references can be checked in any order.
        for (i, name) in raw.components.keys().enumerate() {
            let written = origin.get(name).unwrap_or(name);
            if !valid_name(written) {
                self.err(
                    &root.at("components").at(written),
                    format!("found component name \"{written}\", expected letters, digits, '_' or '-' (at most 64)"),
                );
            }
            self.ids.insert(name.clone(), i as CompId);
        }
        for (name, inst) in &aliases {
            if let Some(&id) = self.ids.get(inst) {
                self.ids.insert(name.clone(), id);
            }
        }
        if raw.components.is_empty() {
            self.err(
                &root,
                "the model has no [components]; expected at least one",
            );
        }
        if raw.classes.is_empty() {
            self.err(&root, "the model has no [[classes]]; expected at least one request class with a name, share and entry");
        }
        if raw.classes.len() > u16::MAX as usize {
            self.err(
                &root.at("classes"),
                "too many request classes (at most 65535)",
            );
        }
        for (i, c) in raw.classes.iter().enumerate() {
            if self
                .class_ids
                .insert(c.name.clone(), i as ClassId)
                .is_some()
            {
                self.err(
                    &root.at("classes").at(i).at("name"),
                    format!("class \"{}\" is defined twice", c.name),
                );
            }
        }
        self.catalog = self.catalog(raw.pricing.as_ref());
        let classes = self.classes(&raw.classes);
        let n_classes = classes.len();
        let mut components = Vec::with_capacity(raw.components.len());
        for (name, table) in &raw.components {
            // Errors point at the table as written (before region expansion).
            let path = root.at("components").at(origin.get(name).unwrap_or(name));
            let mut table = table.clone();
            let cost = match take_component_cost(self.src, &path, &mut table) {
                Ok(raw_cost) => self.component_cost(&path, &raw_cost),
                Err(e) => {
                    self.errors.push(e);
                    None
                }
            };
            let rc = match parse_component(self.src, &path, table) {
                Ok(rc) => rc,
                Err(e) => {
                    self.errors.push(e);
                    continue;
                }
            };
            let kind = self.component(&path, &rc, n_classes);
            components.push(Component {
                name: name.clone(),
                kind,
                cost,
                region: placed.get(name).copied().flatten(),
                siblings: Vec::new(),
            });
        }
        let slo = self.slo(raw.slo.unwrap_or_default());
        let items = self.cost_items(&raw.costs);
        let system = System {
            name: raw.name.unwrap_or_else(|| {
                self.src
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "model".into())
            }),
            description: raw.description.clone().unwrap_or_default(),
            classes,
            components,
            slo,
            cost: CostModel {
                catalog: std::mem::take(&mut self.catalog),
                items,
            },
            regions,
        };
        let mut system = system;
        link_siblings(&mut system, &origin);
        if self.errors.is_empty() {
            self.check_graph(&system);
        }
        std::mem::take(&mut self.errors).into_result(system)
    }

    fn classes(&mut self, raw: &[RawClass]) -> Vec<Class> {
        let root = KeyPath::root().at("classes");
        let total: f64 = raw
            .iter()
            .map(|c| {
                if c.share.is_finite() && c.share > 0.0 {
                    c.share
                } else {
                    0.0
                }
            })
            .sum();
        raw.iter()
            .enumerate()
            .map(|(i, c)| {
                let p = root.at(i);
                if !(c.share.is_finite() && c.share > 0.0) {
                    self.err(
                        &p.at("share"),
                        format!("found {}, expected a share greater than 0", c.share),
                    );
                }
                let entry = self.comp_ref(&p.at("entry"), &c.entry);
                let op = self.op(&p.at("op"), &c.op).unwrap_or(Op::Read);
                let response_bytes = c.response_bytes.unwrap_or(0.0);
                if !(response_bytes.is_finite() && (0.0..=1e15).contains(&response_bytes)) {
                    self.err(
                        &p.at("response_bytes"),
                        format!("found {response_bytes}, expected a number of bytes of 0 or more (at most 1e15)"),
                    );
                }
                Class {
                    response_bytes: if response_bytes.is_finite() {
                        response_bytes.clamp(0.0, 1e15)
                    } else {
                        0.0
                    },
                    name: c.name.clone(),
                    probability: if total > 0.0 {
                        c.share.max(0.0) / total
                    } else {
                        0.0
                    },
                    entry,
                    op,
                }
            })
            .collect()
    }

    fn calls(&mut self, path: &KeyPath, raw: &[RawCall]) -> Vec<Call> {
        raw.iter()
            .enumerate()
            .map(|(i, c)| {
                let p = path.at(i);
                let to = self.comp_ref(&p.at("to"), &c.to);
                let op = self.op(&p.at("op"), &c.op);
                let count = c.count.unwrap_or(1);
                if count > 10_000 {
                    self.err(
                        &p.at("count"),
                        format!("found {count}, expected at most 10000 calls"),
                    );
                }
                let probability = self.fraction(&p.at("probability"), c.probability.unwrap_or(1.0));
                Call {
                    to,
                    op,
                    count,
                    probability,
                }
            })
            .collect()
    }

    fn component(&mut self, path: &KeyPath, rc: &RawComponent, n_classes: usize) -> ComponentKind {
        match rc {
            RawComponent::Edge(e) => {
                let default = self.fraction(&path.at("hit_ratio"), e.hit_ratio.unwrap_or(0.0));
                let mut hit = vec![default; n_classes];
                for (class, &v) in &e.hit_ratio_by_class {
                    let p = path.at("hit_ratio_by_class").at(class);
                    let v = self.fraction(&p, v);
                    match self.class_ids.get(class) {
                        Some(&id) => hit[id as usize] = v,
                        None => self.err(
                            &p,
                            format!("found class \"{class}\", which is not a request class"),
                        ),
                    }
                }
                let latency = self.opt_dist(&path.at("latency"), &e.latency, 0);
                let origin = e
                    .origin
                    .as_ref()
                    .map(|o| self.comp_ref(&path.at("origin"), o));
                if origin.is_none() && hit.iter().any(|&h| h < 1.0) {
                    self.err(
                        path,
                        "an edge whose hit ratio is below 1 needs an `origin` for its misses",
                    );
                }
                ComponentKind::Edge(Edge {
                    hit_ratio: hit,
                    latency,
                    origin,
                })
            }
            RawComponent::Service(s) => ComponentKind::Service(self.service(path, s, n_classes)),
            RawComponent::Cache(c) => {
                let hit_ratio = self.fraction(&path.at("hit_ratio"), c.hit_ratio);
                let latency = self.opt_dist(&path.at("latency"), &c.latency, 500_000);
                let concurrency = c
                    .concurrency
                    .map(|v| self.positive_u32(&path.at("concurrency"), Some(v), 1));
                let on_miss = c
                    .on_miss
                    .as_ref()
                    .map(|o| self.comp_ref(&path.at("on_miss"), o));
                ComponentKind::Cache(Cache {
                    hit_ratio,
                    latency,
                    concurrency,
                    on_miss,
                })
            }
            RawComponent::Pool(p) => {
                let hikari = match p.flavor.as_deref() {
                    None | Some("pgbouncer") => false,
                    Some("hikari") => true,
                    Some(other) => {
                        self.err(
                            &path.at("flavor"),
                            format!("found \"{other}\", expected \"pgbouncer\" or \"hikari\""),
                        );
                        false
                    }
                };
                // Defaults from each pooler's documentation (reference §5).
                let size =
                    self.positive_u32(&path.at("size"), p.size, if hikari { 10 } else { 20 });
                let max_clients = match (p.max_clients, hikari) {
                    (Some(0), _) => {
                        self.err(&path.at("max_clients"), "found 0, expected 1 or more");
                        None
                    }
                    (Some(v), _) => Some(v),
                    (None, true) => None,
                    (None, false) => Some(100),
                };
                if let Some(mc) = max_clients {
                    if mc < size {
                        // Legal, but the extra connections can never be used.
                    }
                }
                let default_wait = if hikari {
                    30_000_000_000
                } else {
                    120_000_000_000
                };
                let wait = p.wait_timeout.map(|d| d.nanos()).unwrap_or(default_wait);
                ComponentKind::Pool(Pool {
                    size,
                    max_clients,
                    reserve_size: p.reserve_size.unwrap_or(0),
                    reserve_timeout_ns: p
                        .reserve_timeout
                        .map(|d| d.nanos())
                        .unwrap_or(5_000_000_000),
                    wait_timeout_ns: if wait == 0 { None } else { Some(wait) },
                    target: self.comp_ref(&path.at("target"), &p.target),
                })
            }
            RawComponent::Database(d) => {
                let concurrency = self.positive_u32(&path.at("concurrency"), d.concurrency, 100);
                let read = self.opt_dist(&path.at("read"), &d.read, 1_000_000);
                let write = match &d.write {
                    Some(w) => self.dist(&path.at("write"), w),
                    None => read.clone(),
                };
                let read_replicas = d.read_replicas.unwrap_or(0);
                let reads_on_replicas = match d.read_from.as_deref() {
                    None => read_replicas > 0,
                    Some("replicas") => {
                        if read_replicas == 0 {
                            self.err(
                                &path.at("read_from"),
                                "read_from = \"replicas\" needs read_replicas of 1 or more",
                            );
                        }
                        true
                    }
                    Some("primary") => false,
                    Some(other) => {
                        self.err(
                            &path.at("read_from"),
                            format!("found \"{other}\", expected \"replicas\" or \"primary\""),
                        );
                        false
                    }
                };
                ComponentKind::Database(Database {
                    concurrency,
                    read,
                    write,
                    read_replicas,
                    reads_on_replicas,
                    replication_lag_ns: d.replication_lag.map(|x| x.nanos()).unwrap_or(0),
                    queue_limit: d.queue_limit,
                })
            }
            RawComponent::Queue(q) => {
                let workers = self.positive_u32(&path.at("workers"), q.workers, 1);
                let concurrency = self.positive_u32(&path.at("concurrency"), q.concurrency, 1);
                let work = self.dist(&path.at("work"), &q.work);
                let calls = self.calls(&path.at("calls"), &q.calls);
                let enqueue_latency =
                    self.opt_dist(&path.at("enqueue_latency"), &q.enqueue_latency, 1_000_000);
                ComponentKind::Queue(JobQueue {
                    workers,
                    concurrency,
                    work,
                    calls,
                    max_depth: q.max_depth,
                    enqueue_latency,
                })
            }
            RawComponent::External(x) => {
                let latency = self.dist(&path.at("latency"), &x.latency);
                let concurrency = x
                    .concurrency
                    .map(|v| self.positive_u32(&path.at("concurrency"), Some(v), 1));
                ComponentKind::External(External {
                    latency,
                    concurrency,
                    queue_limit: x.queue_limit,
                })
            }
        }
    }

    fn service(&mut self, path: &KeyPath, s: &RawService, n_classes: usize) -> Service {
        let replicas = s.replicas.unwrap_or(1);
        if replicas > 100_000 {
            self.err(
                &path.at("replicas"),
                format!("found {replicas}, expected at most 100000 replicas"),
            );
        }
        let cores = s.cores.unwrap_or(1.0);
        if !(cores.is_finite() && cores > 0.0 && cores <= 1024.0) {
            self.err(
                &path.at("cores"),
                format!("found {cores}, expected a number of cores above 0 (at most 1024)"),
            );
        }
        let concurrency = self.positive_u32(&path.at("concurrency"), s.concurrency, 100);
        let scheduling = match s.scheduling.as_deref() {
            None | Some("fcfs") => Scheduling::Fcfs,
            Some("ps") => Scheduling::ProcessorSharing,
            Some(other) => {
                self.err(
                    &path.at("scheduling"),
                    format!("found \"{other}\", expected \"fcfs\" or \"ps\""),
                );
                Scheduling::Fcfs
            }
        };
        let mem_base = s.memory_base_mib.unwrap_or(0.0);
        let mem_per = s.memory_per_request_mib.unwrap_or(0.0);
        for (k, v) in [
            ("memory_base_mib", mem_base),
            ("memory_per_request_mib", mem_per),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                self.err(&path.at(k), format!("found {v}, expected zero or more MiB"));
            }
        }
        let balancer = self.balancer(&path.at("balancer"), s.balancer.as_ref());
        // Handlers: explicit per class, `default`, or the top-level shorthand.
        let mut handlers: Vec<Option<Handler>> = vec![None; n_classes];
        let mut default: Option<Handler> = None;
        if s.cpu.is_some() || s.calls.is_some() {
            if s.handlers.contains_key("default") {
                self.err(&path.at("handlers").at("default"), "the default handler is given twice: by `cpu`/`calls` on the service and by [handlers.default]");
            }
            let cpu = match &s.cpu {
                Some(spec) => self.dist(&path.at("cpu"), spec),
                None => {
                    self.err(
                        path,
                        "a service with `calls` also needs `cpu` (its CPU time per request)",
                    );
                    Dist::Constant(0)
                }
            };
            let calls = self.calls(&path.at("calls"), s.calls.as_deref().unwrap_or(&[]));
            default = Some(Handler { cpu, calls });
        }
        for (class, h) in &s.handlers {
            let p = path.at("handlers").at(class);
            let handler = Handler {
                cpu: self.dist(&p.at("cpu"), &h.cpu),
                calls: self.calls(&p.at("calls"), &h.calls),
            };
            if class == "default" {
                default = Some(handler);
            } else {
                match self.class_ids.get(class) {
                    Some(&id) => handlers[id as usize] = Some(handler),
                    None => self.err(&p, format!("found handler for \"{class}\", which is not a request class (or `default`)")),
                }
            }
        }
        if let Some(d) = default {
            for h in handlers.iter_mut() {
                if h.is_none() {
                    *h = Some(d.clone());
                }
            }
        }
        let autoscale = s
            .autoscale
            .as_ref()
            .and_then(|t| self.autoscale(&path.at("autoscale"), t.clone()));
        if let Some(policy) = &autoscale {
            let (min, max) = policy.bounds();
            if replicas < min || replicas > max {
                // Legal: the controller clamps at its first reconcile, as HPA does.
            }
        }
        let cpu_request = s.cpu_request.unwrap_or(cores);
        if !(cpu_request.is_finite() && cpu_request > 0.0) {
            self.err(
                &path.at("cpu_request"),
                format!("found {cpu_request}, expected cores above 0"),
            );
        }
        let memory_request_mib = s.memory_request_mib.unwrap_or(mem_base.max(1.0));
        if !(memory_request_mib.is_finite() && memory_request_mib > 0.0) {
            self.err(
                &path.at("memory_request_mib"),
                format!("found {memory_request_mib}, expected MiB above 0"),
            );
        }
        let readiness = s.readiness.as_ref();
        let success_threshold = readiness.and_then(|r| r.success_threshold).unwrap_or(1);
        if success_threshold == 0 {
            self.err(
                &path.at("readiness").at("success_threshold"),
                "found 0, expected 1 or more",
            );
        }
        let period_ns = readiness
            .and_then(|r| r.period)
            .map(|d| d.nanos())
            .unwrap_or(10_000_000_000);
        if period_ns == 0 {
            self.err(
                &path.at("readiness").at("period"),
                "found 0s, expected a probe period above zero",
            );
        }
        let provisioning = Provisioning {
            startup: self.opt_dist(&path.at("startup"), &s.startup, 0),
            warmup: self.opt_dist(&path.at("warmup"), &s.warmup, 0),
            initial_delay_ns: readiness
                .and_then(|r| r.initial_delay)
                .map(|d| d.nanos())
                .unwrap_or(0),
            period_ns: period_ns.max(1),
            success_threshold: success_threshold.max(1),
            endpoint_delay_ns: readiness
                .and_then(|r| r.endpoint_delay)
                .map(|d| d.nanos())
                .unwrap_or(1_000_000_000),
            drain_grace_ns: s.drain_grace.map(|d| d.nanos()).unwrap_or(30_000_000_000),
        };
        let zones = self.positive_u32(&path.at("zones"), s.zones, 1);
        let nodes = s.nodes.as_ref().map(|n| {
            let pods = self.positive_u32(
                &path.at("nodes").at("pods_per_node"),
                Some(n.pods_per_node),
                1,
            );
            (
                pods,
                self.dist(&path.at("nodes").at("provision"), &n.provision),
            )
        });
        Service {
            nodes,
            autoscale,
            provisioning,
            cpu_request_milli: (cpu_request.max(0.001) * 1000.0).round() as u64,
            memory_request_mib,
            zones,
            replicas,
            cores: if cores.is_finite() && cores > 0.0 {
                cores
            } else {
                1.0
            },
            concurrency,
            accept_queue: s.accept_queue,
            timeout_ns: s.timeout.map(|d| d.nanos()).filter(|&t| t > 0),
            scheduling,
            memory_base_mib: mem_base,
            memory_per_request_mib: mem_per,
            balancer,
            handlers,
        }
    }

    /// `[regions]`: names in order, user shares, the latency matrix.
    fn regions(&mut self, raw: Option<&RawRegions>) -> Regions {
        let Some(r) = raw else {
            return Regions::default();
        };
        let path = KeyPath::root().at("regions");
        let names: Vec<String> = r.users.keys().cloned().collect();
        for n in &names {
            if !valid_name(n) {
                self.err(
                    &path.at("users").at(n),
                    format!("found region name \"{n}\", expected letters, digits, '_' or '-'"),
                );
            }
        }
        if names.is_empty() || names.len() > 32 {
            self.err(
                &path.at("users"),
                "expected between 1 and 32 regions with their user shares",
            );
        }
        let total: f64 = r
            .users
            .values()
            .filter(|v| v.is_finite() && **v > 0.0)
            .sum();
        let mut users = Vec::new();
        for (name, &v) in &r.users {
            if !(v.is_finite() && v >= 0.0) {
                self.err(
                    &path.at("users").at(name),
                    format!("found {v}, expected a share of 0 or more"),
                );
            }
            users.push(if total > 0.0 { v.max(0.0) / total } else { 0.0 });
        }
        let n = names.len();
        let mut latency_ns = vec![vec![0u64; n]; n];
        let mut known = vec![vec![false; n]; n];
        for (pair, d) in &r.latency {
            let p = path.at("latency").at(pair);
            let ends: Vec<&str> = pair.split(':').collect();
            let idx = |s: &str| names.iter().position(|x| x == s);
            match (ends.as_slice(), ends.first().and_then(|a| idx(a)), ends.get(1).and_then(|b| idx(b))) {
                ([_, _], Some(a), Some(b)) if a != b => {
                    latency_ns[a][b] = d.nanos();
                    latency_ns[b][a] = d.nanos();
                    known[a][b] = true;
                    known[b][a] = true;
                }
                _ => self.err(&p, format!("found \"{pair}\", expected \"region-a:region-b\" with two different regions of: {}", names.join(", "))),
            }
        }
        for a in 0..n {
            for b in (a + 1)..n {
                if !known[a][b] {
                    self.err(
                        &path.at("latency"),
                        format!(
                            "missing the latency between \"{}\" and \"{}\" (\"{}:{}\" = \"40ms\")",
                            names[a], names[b], names[a], names[b]
                        ),
                    );
                }
            }
        }
        let failover_ns = r.detection.map(|d| d.nanos()).unwrap_or(30_000_000_000)
            + r.dns_ttl.map(|d| d.nanos()).unwrap_or(60_000_000_000);
        Regions {
            names,
            users,
            latency_ns,
            failover_ns,
        }
    }

    /// A service's `autoscale` table: inline policy TOML (by `kind`), or
    /// `file = "..."` naming a policy TOML or a Kubernetes HPA manifest.
    fn autoscale(
        &mut self,
        path: &KeyPath,
        mut t: toml::Table,
    ) -> Option<capsim_autoscale::Policy> {
        use capsim_autoscale::config::PolicyConfig;
        if let Some(file) = t.remove("file") {
            if !t.is_empty() {
                self.err(
                    path,
                    "`file` names the whole policy; give either `file` or an inline policy",
                );
                return None;
            }
            let Some(rel) = file.as_str() else {
                self.err(
                    &path.at("file"),
                    format!("found {file}, expected a path string"),
                );
                return None;
            };
            return match capsim_autoscale::load_policy_file(&self.base_dir.join(rel)) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.err(&path.at("file"), e.to_string());
                    None
                }
            };
        }
        let kind = match t.remove("kind") {
            Some(toml::Value::String(k)) => k,
            _ => {
                self.err(path, "missing `kind` (a string), expected one of hpa, target_tracking, step, threshold");
                return None;
            }
        };
        let cfg = match kind.as_str() {
            "hpa" => self.src.deserialize_part(path, t).map(PolicyConfig::Hpa),
            "target_tracking" => self
                .src
                .deserialize_part(path, t)
                .map(PolicyConfig::TargetTracking),
            "step" => self.src.deserialize_part(path, t).map(PolicyConfig::Step),
            "threshold" => self
                .src
                .deserialize_part(path, t)
                .map(PolicyConfig::Threshold),
            other => {
                self.err(
                    &path.at("kind"),
                    format!(
                        "found \"{other}\", expected one of hpa, target_tracking, step, threshold"
                    ),
                );
                return None;
            }
        };
        let cfg = match cfg {
            Ok(c) => c,
            Err(e) => {
                self.errors.push(e);
                return None;
            }
        };
        let dir = self.base_dir.clone();
        let mut loader = |rel: &str| {
            std::fs::read_to_string(dir.join(rel)).map_err(|e| format!("cannot read {rel}: {e}"))
        };
        match cfg.resolve(&mut loader) {
            Ok(p) => Some(p),
            Err(e) => {
                self.err(path, e.to_string());
                None
            }
        }
    }

    fn balancer(&mut self, path: &KeyPath, b: Option<&RawBalancer>) -> BalancerConfig {
        let policy = match b.and_then(|b| b.policy.as_deref()) {
            None => BalancePolicy::RoundRobin,
            Some(p) => BalancePolicy::parse(p).unwrap_or_else(|m| {
                self.err(&path.at("policy"), m);
                BalancePolicy::RoundRobin
            }),
        };
        let weights = b.map(|b| b.weights.clone()).unwrap_or_default();
        if weights.contains(&0) {
            self.err(
                &path.at("weights"),
                "found a weight of 0, expected weights of 1 or more",
            );
        }
        BalancerConfig {
            policy,
            // nginx defaults: max_fails=1, fail_timeout=10s.
            max_fails: b.and_then(|b| b.max_fails).unwrap_or(1),
            fail_timeout_ns: b
                .and_then(|b| b.fail_timeout)
                .map(|d| d.nanos())
                .unwrap_or(10_000_000_000),
            weights: weights.into_iter().map(|w| w.max(1)).collect(),
            tries: b.and_then(|b| b.tries).unwrap_or(0),
        }
    }

    /// The price catalog: shipped CSV, then the model's `[pricing] file`, then its
    /// inline `[[pricing.sku]]`, then `--pricing` (each overriding the previous).
    fn catalog(&mut self, pricing: Option<&RawPricing>) -> capsim_cost::Catalog {
        let root = KeyPath::root();
        let mut catalog = match capsim_cost::Catalog::builtin() {
            Ok(c) => c,
            Err(e) => {
                self.err(&root, format!("the shipped price catalog is invalid: {e}"));
                return capsim_cost::Catalog::empty();
            }
        };
        if let Some(p) = pricing {
            if let Some(file) = &p.file {
                let path = self.base_dir.join(file);
                if let Err(e) = catalog.merge_file(&path) {
                    self.err(&root.at("pricing").at("file"), e.to_string());
                }
            }
            if let Err(e) = catalog.apply_overrides(&p.sku, "[[pricing.sku]]") {
                self.err(&root.at("pricing").at("sku"), e.to_string());
            }
        }
        if let Some(path) = self.cli_pricing.clone() {
            if let Err(e) = catalog.merge_file(&path) {
                self.errors.push(crate::input::InputError::new(
                    &path,
                    format!("--pricing: {e}"),
                ));
            }
        }
        catalog
    }

    /// Checks that a SKU exists and that `usage` can be billed in its unit; the error
    /// names close matches. Returns whether it is usable.
    fn check_sku(&mut self, path: &KeyPath, id: &str, allowed: &[Dimension], what: &str) -> bool {
        match self.catalog.get(id) {
            Err(e) => {
                self.err(path, e.to_string());
                false
            }
            Ok(sku) => {
                let dim = sku.unit.dimension();
                if allowed.contains(&dim) {
                    true
                } else {
                    let unit = sku.unit.as_str();
                    self.err(
                        path,
                        format!("SKU `{id}` is priced per `{unit}`, which cannot bill {what}"),
                    );
                    false
                }
            }
        }
    }

    fn discount(&mut self, path: &KeyPath, d: &RawDiscount) -> Option<capsim_cost::Discount> {
        use capsim_cost::Discount;
        let discount = match d.kind.as_str() {
            "reserved" => Discount::Reserved { percent: d.percent },
            "savings_plan" => Discount::SavingsPlan { percent: d.percent },
            "spot" => Discount::Spot {
                percent: d.percent,
                interruptions_per_hour: d.interruptions_per_hour,
            },
            other => {
                self.err(
                    &path.at("type"),
                    format!(
                        "found \"{other}\", expected \"reserved\", \"savings_plan\" or \"spot\""
                    ),
                );
                return None;
            }
        };
        if d.interruptions_per_hour.is_some() && d.kind != "spot" {
            self.err(
                &path.at("interruptions_per_hour"),
                "`interruptions_per_hour` applies to type = \"spot\" only",
            );
        }
        match discount.validate() {
            Ok(()) => Some(discount),
            Err(m) => {
                self.err(path, m);
                None
            }
        }
    }

    fn component_cost(&mut self, path: &KeyPath, raw: &RawComponentCost) -> Option<ComponentCost> {
        let discount = raw
            .discount
            .as_ref()
            .and_then(|d| self.discount(&path.at("discount"), d));
        let Some(sku) = &raw.sku else {
            if raw.discount.is_some() {
                self.err(
                    &path.at("discount"),
                    "a `discount` needs a `sku` on the same component",
                );
            }
            return None;
        };
        let ok = self.check_sku(
            &path.at("sku"),
            sku,
            &[Dimension::Time, Dimension::Bytes, Dimension::Count],
            "a component (use time, per-GB or per-request units)",
        );
        ok.then(|| ComponentCost {
            sku: sku.clone(),
            discount,
        })
    }

    fn cost_items(&mut self, raw: &[RawCostItem]) -> Vec<CostItem> {
        let root = KeyPath::root().at("costs");
        let mut items = Vec::with_capacity(raw.len());
        for (i, c) in raw.iter().enumerate() {
            let p = root.at(i);
            if !valid_name(&c.name) {
                self.err(
                    &p.at("name"),
                    format!(
                        "found \"{}\", expected letters, digits, '_' or '-' (at most 64)",
                        c.name
                    ),
                );
            }
            let usage = match (c.usage.as_deref(), c.quantity) {
                (Some(_), Some(_)) => {
                    self.err(
                        &p.at("quantity"),
                        "give either `quantity` (a fixed item) or `usage`, not both",
                    );
                    continue;
                }
                (None, q) => {
                    let q = q.unwrap_or(1.0);
                    if !(q.is_finite() && q >= 0.0) {
                        self.err(
                            &p.at("quantity"),
                            format!("found {q}, expected a quantity of 0 or more"),
                        );
                        continue;
                    }
                    CostUsage::Fixed(q)
                }
                (Some("egress"), None) => CostUsage::Egress,
                (Some("requests"), None) => CostUsage::Requests,
                (Some(other), None) => {
                    self.err(
                        &p.at("usage"),
                        format!("found \"{other}\", expected \"egress\" or \"requests\""),
                    );
                    continue;
                }
            };
            let (dims, what): (&[Dimension], &str) = match usage {
                CostUsage::Fixed(_) => (
                    &[Dimension::Time],
                    "a fixed item (use a time unit such as `month` or `hour`)",
                ),
                CostUsage::Egress => (&[Dimension::Bytes], "egress (use a per-GB unit)"),
                CostUsage::Requests => (&[Dimension::Count], "requests (use a per-request unit)"),
            };
            let discount = c
                .discount
                .as_ref()
                .and_then(|d| self.discount(&p.at("discount"), d));
            if self.check_sku(&p.at("sku"), &c.sku, dims, what) {
                items.push(CostItem {
                    name: c.name.clone(),
                    sku: c.sku.clone(),
                    usage,
                    discount,
                });
            }
        }
        items
    }

    fn slo(&mut self, s: RawSlo) -> Slo {
        let path = KeyPath::root().at("slo");
        let error_rate = s
            .error_rate
            .map(|v| self.fraction(&path.at("error_rate"), v));
        Slo {
            mean_ns: s.mean.map(|d| d.nanos()),
            p50_ns: s.p50.map(|d| d.nanos()),
            p90_ns: s.p90.map(|d| d.nanos()),
            p95_ns: s.p95.map(|d| d.nanos()),
            p99_ns: s.p99.map(|d| d.nanos()),
            p999_ns: s.p999.map(|d| d.nanos()),
            error_rate,
        }
    }

    /// Every class must reach only services that can handle it, and the call
    /// graph must be acyclic (a cycle would recurse forever).
    fn check_graph(&mut self, sys: &System) {
        let n = sys.components.len();
        for (ci, class) in sys.classes.iter().enumerate() {
            // Depth-first walk with an explicit stack; `on_path` finds cycles.
            let mut state = vec![0u8; n]; // 0 new, 1 on path, 2 done
            let mut stack: Vec<(CompId, usize)> = vec![(class.entry, 0)];
            state[class.entry as usize] = 1;
            while let Some(&mut (c, ref mut next)) = stack.last_mut() {
                let succ = successors(sys, c, ci as ClassId);
                if let Some(&s) = succ.get(*next) {
                    *next += 1;
                    match state[s as usize] {
                        0 => {
                            state[s as usize] = 1;
                            stack.push((s, 0));
                        }
                        1 => {
                            let name = &sys.components[s as usize].name;
                            self.err(
                                &KeyPath::root().at("components").at(name),
                                format!("requests of class \"{}\" loop back to \"{name}\"; the call graph must not have cycles", class.name),
                            );
                            return;
                        }
                        _ => {}
                    }
                } else {
                    state[c as usize] = 2;
                    stack.pop();
                }
            }
            for (id, comp) in sys.components.iter().enumerate() {
                if state[id] == 0 {
                    continue;
                }
                if let ComponentKind::Service(s) = &comp.kind {
                    if s.handlers[ci].is_none() {
                        self.err(
                            &KeyPath::root().at("components").at(&comp.name),
                            format!(
                                "class \"{}\" reaches service \"{}\", which has no handler for it; add [components.{}.handlers.{}] or a default (`cpu` on the service)",
                                class.name, comp.name, comp.name, class.name
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Components a request of `class` may visit next from `c`.
fn successors(sys: &System, c: CompId, class: ClassId) -> Vec<CompId> {
    match &sys.components[c as usize].kind {
        ComponentKind::Edge(e) => e.origin.into_iter().collect(),
        ComponentKind::Service(s) => s.handlers[class as usize]
            .as_ref()
            .map(|h| h.calls.iter().map(|c| c.to).collect())
            .unwrap_or_default(),
        ComponentKind::Cache(k) => k.on_miss.into_iter().collect(),
        ComponentKind::Pool(p) => vec![p.target],
        ComponentKind::Database(_) | ComponentKind::External(_) => vec![],
        // Jobs run later, but their calls still must not loop.
        ComponentKind::Queue(q) => q.calls.iter().map(|c| c.to).collect(),
    }
}

/// Links the instances of each component replicated by region.
fn link_siblings(sys: &mut System, origin: &BTreeMap<String, String>) {
    let mut groups: BTreeMap<&str, Vec<CompId>> = BTreeMap::new();
    for (i, c) in sys.components.iter().enumerate() {
        if let Some(o) = origin.get(&c.name) {
            if o != &c.name {
                groups.entry(o.as_str()).or_default().push(i as CompId);
            }
        }
    }
    let groups: Vec<Vec<CompId>> = groups.into_values().collect();
    for g in groups {
        for &i in &g {
            sys.components[i as usize].siblings = g.clone();
        }
    }
}
