//! Kubernetes manifests: Deployment / StatefulSet (replicas, CPU and memory
//! requests and limits, probes, rolling-update strategy), Service (kube-proxy
//! balancing), HorizontalPodAutoscaler (checked with `capsim-autoscale`'s own
//! manifest parser, then written as capsim's HPA TOML) and KEDA ScaledObject.

use super::draft::{comp_name, int, num, s, secs, Draft, Src};
use super::node::{fmt_num, Node, Value};
use super::yaml::Doc;

/// Keys with no bearing on capacity, skipped without a warning (documented
/// in docs/import.md).
const POD_IGNORED: &[&str] = &[
    "image",
    "imagePullPolicy",
    "ports",
    "env",
    "envFrom",
    "volumeMounts",
    "command",
    "args",
    "workingDir",
    "securityContext",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "stdin",
    "tty",
];

pub fn import(d: &mut Draft, file: &str, docs: &[Doc]) -> Result<(), String> {
    // Workloads first, so Services, HPAs and ScaledObjects find their target
    // whatever the order of documents.
    let kind = |doc: &Doc| {
        doc.root
            .get("kind")
            .and_then(Node::str)
            .unwrap_or("")
            .to_string()
    };
    let mut order: Vec<&Doc> = docs.iter().collect();
    order.sort_by_key(|doc| match kind(doc).as_str() {
        "Deployment" | "StatefulSet" => 0,
        _ => 1,
    });
    for doc in order {
        let root = &doc.root;
        let at = |n: &Node| Src {
            file: file.to_string(),
            line: n.line,
        };
        root.ignore(&["apiVersion", "status"]);
        if let Some(m) = root.get("metadata") {
            m.touch_all();
        }
        let name = root
            .path(&["metadata", "name"])
            .and_then(Node::str)
            .map(comp_name);
        match kind(doc).as_str() {
            "Deployment" | "StatefulSet" => {
                let name = name.ok_or(format!(
                    "{file}:{}: a {} without metadata.name",
                    root.line,
                    kind(doc)
                ))?;
                workload(d, file, root, &name, &kind(doc))?;
            }
            "HorizontalPodAutoscaler" => hpa(d, file, doc)?,
            "Service" => service(d, file, root),
            "ScaledObject" => keda(d, file, root),
            "Namespace"
            | "ConfigMap"
            | "Secret"
            | "ServiceAccount"
            | "Ingress"
            | "PodDisruptionBudget"
            | "NetworkPolicy" => {
                root.touch_all();
                d.warn(
                    &at(root),
                    format!("{} has no capacity effect in capsim: skipped", kind(doc)),
                );
            }
            other => {
                root.touch_all();
                d.warn(
                    &at(root),
                    format!("kind `{other}` is not supported by capsim import: skipped"),
                );
            }
        }
        d.warn_unread(file, root, "", &kind(doc));
    }
    Ok(())
}

fn workload(d: &mut Draft, file: &str, root: &Node, name: &str, kind: &str) -> Result<(), String> {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    let c = d.comp(name, "service", &at(root), kind);
    let Some(spec) = root.get("spec") else {
        return Ok(());
    };
    spec.ignore(&[
        "selector",
        "serviceName",
        "revisionHistoryLimit",
        "progressDeadlineSeconds",
        "volumeClaimTemplates",
    ]);
    let replicas = match spec.get("replicas") {
        Some(r) => {
            let v = r.count().ok_or(format!(
                "{file}:{}: `spec.replicas` is {}, expected a whole number",
                r.line,
                r.describe()
            ))?;
            d.set(c, "replicas", int(v), &at(r));
            v
        }
        // Kubernetes defaults spec.replicas to 1.
        None => 1,
    };
    for key in ["strategy", "updateStrategy"] {
        if let Some(st) = spec.get(key) {
            st.touch_all();
            let ty = st
                .get("type")
                .and_then(Node::str)
                .unwrap_or("RollingUpdate");
            let ru = st.get("rollingUpdate");
            let surge = ru
                .and_then(|r| r.get("maxSurge"))
                .map(|v| (v.text().unwrap_or_default(), true));
            let unavail = ru
                .and_then(|r| r.get("maxUnavailable"))
                .map(|v| (v.text().unwrap_or_default(), false));
            let mut parts = vec![format!("{key} {ty}")];
            for (text, up) in [surge, unavail].into_iter().flatten() {
                let pods = percent_of(&text, replicas, up);
                let what = if up { "maxSurge" } else { "maxUnavailable" };
                parts.push(match pods {
                    Some(p) if text.ends_with('%') => {
                        format!("{what} {text} = {p} of {replicas} pods")
                    }
                    _ => format!("{what} {text}"),
                });
            }
            d.todo(c, &at(st), format!("rolling update ({})", parts.join(", ")));
        }
    }
    for key in ["podManagementPolicy", "minReadySeconds"] {
        if let Some(v) = spec.get(key) {
            v.touch();
            d.todo(c, &at(v), format!("`spec.{key}: {}`", v.describe()));
        }
    }
    let Some(pod) = spec.path(&["template", "spec"]) else {
        return Ok(());
    };
    if let Some(m) = spec.path(&["template", "metadata"]) {
        if let Some(labels) = m.get("labels") {
            for (k, v) in labels.entries() {
                if let Some(v) = v.text() {
                    d.comps[c].labels.push((k.clone(), v));
                }
            }
        }
        m.touch_all();
    }
    pod.ignore(&[
        "volumes",
        "imagePullSecrets",
        "serviceAccountName",
        "securityContext",
        "nodeSelector",
        "tolerations",
        "affinity",
        "restartPolicy",
        "dnsPolicy",
        "initContainers",
    ]);
    if let Some(g) = pod.get("terminationGracePeriodSeconds") {
        if let Some(v) = g.num() {
            d.set(c, "drain_grace", secs(v), &at(g));
        }
    }
    let containers = pod.get("containers").map(Node::items).unwrap_or(&[]);
    for (i, ct) in containers.iter().enumerate() {
        ct.ignore(POD_IGNORED);
        if let Some(n) = ct.get("name") {
            n.touch();
        }
        if i > 0 {
            ct.touch_all();
            d.warn(&at(ct), format!("container {} of `{name}` is a sidecar to capsim: only the first container's resources are modelled", ct.get("name").and_then(Node::text).unwrap_or_default()));
            continue;
        }
        container(d, file, c, ct)?;
    }
    Ok(())
}

/// `25%` of `n` pods, rounded up for a surge and down for unavailability
/// (as the Deployment controller does), or a plain count.
pub fn percent_of(text: &str, n: u32, round_up: bool) -> Option<u32> {
    let t = text.trim();
    if let Some(p) = t.strip_suffix('%') {
        let p: f64 = p.trim().parse().ok()?;
        let pods = p / 100.0 * n as f64;
        Some(if round_up { pods.ceil() } else { pods.floor() } as u32)
    } else {
        t.parse().ok()
    }
}

fn cores_of(n: &Node, file: &str) -> Result<f64, String> {
    let text = n.text().unwrap_or_default();
    let milli = capsim_autoscale::quantity::parse_quantity_milli(&text)
        .map_err(|e| format!("{file}:{}: {e}", n.line))?;
    Ok(milli as f64 / 1000.0)
}

fn mib_of(n: &Node, file: &str) -> Result<f64, String> {
    let text = n.text().unwrap_or_default();
    let milli = capsim_autoscale::quantity::parse_quantity_milli(&text)
        .map_err(|e| format!("{file}:{}: {e}", n.line))?;
    Ok(((milli as f64 / 1000.0 / 1048576.0) * 1000.0).round() / 1000.0)
}

fn container(d: &mut Draft, file: &str, c: usize, ct: &Node) -> Result<(), String> {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    if let Some(res) = ct.get("resources") {
        let req_cpu = res.path(&["requests", "cpu"]);
        let lim_cpu = res.path(&["limits", "cpu"]);
        // A CPU limit caps the replica (CFS quota); without one it may burst
        // to the node, so its request is the best figure the config gives.
        if let Some(n) = lim_cpu.or(req_cpu) {
            d.set(c, "cores", num(cores_of(n, file)?), &at(n));
        }
        if let Some(n) = req_cpu {
            d.set(c, "cpu_request", num(cores_of(n, file)?), &at(n));
        }
        if let Some(n) = res.path(&["requests", "memory"]) {
            d.set(c, "memory_request_mib", num(mib_of(n, file)?), &at(n));
        }
        if let Some(n) = res.path(&["limits", "memory"]) {
            let mib = mib_of(n, file)?;
            d.todo(
                c,
                &at(n),
                format!("memory limit {} MiB (an OOM kill above it)", fmt_num(mib)),
            );
        }
    }
    if let Some(p) = ct.get("readinessProbe") {
        probe_handler(p);
        if let Some(v) = p.get("initialDelaySeconds").and_then(Node::num) {
            d.set(
                c,
                "readiness.initial_delay",
                secs(v),
                &at(p.get("initialDelaySeconds").unwrap_or(p)),
            );
        }
        if let Some(v) = p.get("periodSeconds").and_then(Node::num) {
            d.set(
                c,
                "readiness.period",
                secs(v),
                &at(p.get("periodSeconds").unwrap_or(p)),
            );
        }
        if let Some(n) = p.get("successThreshold") {
            if let Some(v) = n.count() {
                d.set(c, "readiness.success_threshold", int(v), &at(n));
            }
        }
        for k in ["timeoutSeconds", "failureThreshold"] {
            if let Some(n) = p.get(k) {
                n.touch();
                d.todo(
                    c,
                    &at(n),
                    format!(
                        "readinessProbe.{k} {} (capsim's probe never fails once passed)",
                        n.describe()
                    ),
                );
            }
        }
    }
    for key in ["livenessProbe", "startupProbe"] {
        if let Some(p) = ct.get(key) {
            p.touch_all();
            let delay = p
                .get("initialDelaySeconds")
                .and_then(Node::num)
                .unwrap_or(0.0);
            let period = p.get("periodSeconds").and_then(Node::num).unwrap_or(10.0);
            d.todo(
                c,
                &at(p),
                format!(
                    "{key} (initialDelaySeconds {}, periodSeconds {})",
                    fmt_num(delay),
                    fmt_num(period)
                ),
            );
        }
    }
    Ok(())
}

/// The probe's handler (httpGet, tcpSocket, exec, grpc) says how, not when.
fn probe_handler(p: &Node) {
    p.ignore(&["httpGet", "tcpSocket", "exec", "grpc"]);
}

fn service(d: &mut Draft, file: &str, root: &Node) {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    let Some(spec) = root.get("spec") else {
        return;
    };
    spec.ignore(&[
        "ports",
        "type",
        "clusterIP",
        "clusterIPs",
        "externalTrafficPolicy",
        "internalTrafficPolicy",
        "ipFamilies",
        "ipFamilyPolicy",
        "loadBalancerIP",
    ]);
    let selector: Vec<(String, String)> = spec
        .get("selector")
        .map(|s| {
            s.entries()
                .iter()
                .filter_map(|(k, v)| v.text().map(|v| (k.clone(), v)))
                .collect()
        })
        .unwrap_or_default();
    let target = d.comps.iter().position(|c| {
        !selector.is_empty()
            && c.kind == "service"
            && selector.iter().all(|kv| c.labels.contains(kv))
    });
    let svc_name = root
        .path(&["metadata", "name"])
        .and_then(Node::text)
        .unwrap_or_default();
    let Some(c) = target else {
        d.warn(&at(root), format!("Service `{svc_name}` selects no Deployment or StatefulSet imported so far: skipped"));
        return;
    };
    let affinity = spec.get("sessionAffinity");
    let sticky = affinity.and_then(Node::str) == Some("ClientIP");
    if let Some(cfg) = spec.get("sessionAffinityConfig") {
        cfg.touch_all();
    }
    // kube-proxy (iptables mode) picks a backend at random; with
    // sessionAffinity ClientIP it keeps each client on one backend.
    let (policy, src) = if sticky {
        ("ip_hash", at(affinity.unwrap_or(spec)))
    } else {
        ("random", at(root))
    };
    d.set(c, "balancer.policy", s(policy), &src);
    // Services do not take endpoints out on failures (no passive health checks).
    d.set(c, "balancer.max_fails", int(0), &src);
    let name = d.comps[c].name.clone();
    if d.entry_hint.is_none() {
        d.entry_hint = Some((name, at(root)));
    }
}

fn hpa(d: &mut Draft, file: &str, doc: &Doc) -> Result<(), String> {
    let root = &doc.root;
    // The manifest parser of capsim-autoscale checks it exactly as `file =`
    // in a model would; its errors carry a line within the document.
    if let Err(e) = capsim_autoscale::k8s::parse_hpa_manifest(&doc.text) {
        return Err(format!(
            "{file}:{}: HorizontalPodAutoscaler: {e}",
            doc.first_line
        ));
    }
    root.touch_all();
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    let spec = root
        .get("spec")
        .ok_or(format!("{file}:{}: no spec", root.line))?;
    let target = spec
        .path(&["scaleTargetRef", "name"])
        .and_then(Node::text)
        .map(|n| comp_name(&n))
        .unwrap_or_default();
    let c = target_service(d, &target, &at(spec), "HorizontalPodAutoscaler");
    d.set(c, "autoscale.kind", s("hpa"), &at(root));
    hpa_body(
        d,
        c,
        file,
        spec.get("minReplicas"),
        spec.get("maxReplicas"),
        spec.get("metrics"),
        spec.get("behavior"),
    );
    Ok(())
}

/// The service an autoscaler targets; created (with a warning) when no
/// workload of that name was imported.
fn target_service(d: &mut Draft, name: &str, src: &Src, what: &str) -> usize {
    if d.comp_index(name).is_none() {
        d.warn(src, format!("{what} targets `{name}`, which no imported file defines: a service `{name}` is created for it"));
    }
    d.comp(name, "service", src, what)
}

/// min/max, metrics and behavior, in capsim's HPA TOML.
fn hpa_body(
    d: &mut Draft,
    c: usize,
    file: &str,
    min: Option<&Node>,
    max: Option<&Node>,
    metrics: Option<&Node>,
    behavior: Option<&Node>,
) {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    if let Some(n) = min {
        if let Some(v) = n.count() {
            d.set(c, "autoscale.min_replicas", int(v), &at(n));
        }
    }
    if let Some(n) = max {
        if let Some(v) = n.count() {
            d.set(c, "autoscale.max_replicas", int(v), &at(n));
        }
    }
    if let Some(list) = metrics {
        let mut vals = Vec::new();
        let mut srcs = Vec::new();
        for m in list.items() {
            match hpa_metric(m) {
                Ok(v) => {
                    vals.push(v);
                    srcs.push(at(m));
                }
                Err(why) => d.warn(&at(m), why),
            }
        }
        if !vals.is_empty() {
            let first = srcs[0].clone();
            d.set_list(
                c,
                "autoscale.metrics",
                toml::Value::Array(vals),
                &first,
                srcs,
            );
        }
    }
    if let Some(b) = behavior {
        for (yaml, key) in [("scaleUp", "scale_up"), ("scaleDown", "scale_down")] {
            let Some(r) = b.get(yaml) else { continue };
            let base = format!("autoscale.behavior.{key}");
            if let Some(n) = r.get("stabilizationWindowSeconds") {
                if let Some(v) = n.num() {
                    d.set(c, &format!("{base}.stabilization_window"), secs(v), &at(n));
                }
            }
            if let Some(n) = r.get("selectPolicy") {
                if let Some(v) = n.text() {
                    d.set(c, &format!("{base}.select_policy"), s(v), &at(n));
                }
            }
            if let Some(n) = r.get("tolerance") {
                if let Some(v) = n.num() {
                    d.set(c, &format!("{base}.tolerance"), num(v), &at(n));
                }
            }
            if let Some(ps) = r.get("policies") {
                let mut vals = Vec::new();
                let mut srcs = Vec::new();
                for p in ps.items() {
                    let t = p.get("type").and_then(Node::text).unwrap_or_default();
                    let v = p.get("value").and_then(Node::count).unwrap_or(0);
                    let per = p.get("periodSeconds").and_then(Node::num).unwrap_or(15.0);
                    vals.push(toml::Value::Table(
                        [
                            ("type".to_string(), s(t)),
                            ("value".to_string(), int(v)),
                            ("period".to_string(), secs(per)),
                        ]
                        .into_iter()
                        .collect(),
                    ));
                    srcs.push(at(p));
                }
                if !vals.is_empty() {
                    let first = srcs[0].clone();
                    d.set_list(
                        c,
                        &format!("{base}.policies"),
                        toml::Value::Array(vals),
                        &first,
                        srcs,
                    );
                } else {
                    // An empty table still selects the behavior path.
                    d.set(
                        c,
                        &format!("{base}.policies"),
                        toml::Value::Array(Vec::new()),
                        &at(ps),
                    );
                }
            }
        }
        if b.get("scaleUp").is_none() && b.get("scaleDown").is_none() {
            d.set(
                c,
                "autoscale.behavior.scale_up.select_policy",
                s("Max"),
                &at(b),
            );
        }
    }
}

/// Metric names capsim observes for Pods / Object / External metrics.
const KNOWN_METRICS: &[&str] = &[
    "rps",
    "in_flight",
    "queue_depth",
    "p95_latency_ms",
    "pool_utilization",
];

fn hpa_metric(m: &Node) -> Result<toml::Value, String> {
    let kind = m.get("type").and_then(Node::text).unwrap_or_default();
    let mut t = toml::Table::new();
    let target_of = |n: Option<&Node>, t: &mut toml::Table| {
        let Some(tg) = n else { return };
        if let Some(v) = tg.get("averageUtilization").and_then(Node::num) {
            t.insert("target_utilization".into(), num(v));
        }
        if let Some(v) = tg.get("averageValue") {
            t.insert("target_average".into(), quantity(v));
        }
        if let Some(v) = tg.get("value") {
            t.insert("target_value".into(), quantity(v));
        }
    };
    match kind.as_str() {
        "Resource" => {
            let r = m.get("resource");
            let name = r
                .and_then(|r| r.get("name"))
                .and_then(Node::text)
                .unwrap_or_default();
            t.insert("type".into(), s(name));
            target_of(r.and_then(|r| r.get("target")), &mut t);
        }
        "Pods" | "Object" | "External" => {
            let key = kind.to_lowercase();
            let b = m.get(&key);
            let name = b
                .and_then(|b| b.path(&["metric", "name"]))
                .and_then(Node::text)
                .unwrap_or_default();
            if !KNOWN_METRICS.contains(&name.as_str())
                && !name.ends_with(".depth")
                && !name.ends_with(".utilization")
            {
                return Err(format!(
                    "{kind} metric `{name}` is not one capsim measures ({}, <queue>.depth, <pool>.utilization): metric dropped",
                    KNOWN_METRICS.join(", ")
                ));
            }
            t.insert("type".into(), s(key));
            t.insert("name".into(), s(name));
            target_of(b.and_then(|b| b.get("target")), &mut t);
        }
        other => return Err(format!("metric type `{other}` is not supported: dropped")),
    }
    Ok(toml::Value::Table(t))
}

/// A quantity as capsim's HPA TOML takes it: a number, or the string as written.
fn quantity(n: &Node) -> toml::Value {
    match &n.value {
        Value::Num(v) => num(*v),
        _ => s(n.text().unwrap_or_default()),
    }
}

/// KEDA `ScaledObject`: KEDA drives an HPA of its own; cpu/memory triggers
/// become HPA metrics. Event-source triggers (queues, Prometheus, ...) and
/// scaling to zero are not modelled.
fn keda(d: &mut Draft, file: &str, root: &Node) {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    let Some(spec) = root.get("spec") else {
        return;
    };
    let target = spec
        .path(&["scaleTargetRef", "name"])
        .and_then(Node::text)
        .map(|n| comp_name(&n))
        .unwrap_or_default();
    if let Some(r) = spec.get("scaleTargetRef") {
        r.touch_all();
    }
    let c = target_service(d, &target, &at(spec), "KEDA ScaledObject");
    d.set(c, "autoscale.kind", s("hpa"), &at(root));
    // KEDA's defaults: minReplicaCount 0, maxReplicaCount 100.
    match spec.get("minReplicaCount") {
        Some(n) if n.count().unwrap_or(0) >= 1 => hpa_body(d, c, file, Some(n), None, None, None),
        other => {
            let src = other.map(&at).unwrap_or_else(|| at(spec));
            if let Some(n) = other {
                n.touch();
            }
            d.todo(
                c,
                &src,
                "KEDA minReplicaCount 0 (scaling to zero and back on activation)",
            );
            d.assume(
                c,
                "autoscale.min_replicas",
                int(1),
                "KEDA scales to zero, which capsim's HPA cannot: the lowest count is 1",
            );
        }
    }
    match spec.get("maxReplicaCount") {
        Some(n) => hpa_body(d, c, file, None, Some(n), None, None),
        None => d.assume(
            c,
            "autoscale.max_replicas",
            int(100),
            "KEDA's default maxReplicaCount",
        ),
    }
    for k in [
        "pollingInterval",
        "cooldownPeriod",
        "idleReplicaCount",
        "fallback",
    ] {
        if let Some(n) = spec.get(k) {
            n.touch_all();
            d.todo(c, &at(n), format!("KEDA {k} {}", n.describe()));
        }
    }
    if let Some(adv) = spec.get("advanced") {
        adv.ignore(&["restoreToOriginalReplicaCount"]);
        if let Some(h) = adv.get("horizontalPodAutoscalerConfig") {
            h.ignore(&["name"]);
            hpa_body(d, c, file, None, None, None, h.get("behavior"));
        }
    }
    let mut vals = Vec::new();
    let mut srcs = Vec::new();
    for t in spec.get("triggers").map(Node::items).unwrap_or(&[]) {
        let ty = t.get("type").and_then(Node::text).unwrap_or_default();
        match ty.as_str() {
            "cpu" | "memory" => {
                let metric_type = t
                    .get("metricType")
                    .and_then(Node::text)
                    .unwrap_or_else(|| "Utilization".into());
                let value = t.path(&["metadata", "value"]).and_then(Node::num);
                let (Some(v), "Utilization") = (value, metric_type.as_str()) else {
                    d.warn(&at(t), format!("KEDA {ty} trigger with metricType {metric_type}: only Utilization is imported; dropped"));
                    continue;
                };
                vals.push(toml::Value::Table(
                    [
                        ("type".to_string(), s(ty)),
                        ("target_utilization".to_string(), num(v)),
                    ]
                    .into_iter()
                    .collect(),
                ));
                srcs.push(at(t));
            }
            other => {
                t.touch_all();
                d.todo(
                    c,
                    &at(t),
                    format!("KEDA `{other}` trigger (event-driven scaling on an external source)"),
                );
            }
        }
    }
    if !vals.is_empty() {
        let first = srcs[0].clone();
        d.set_list(
            c,
            "autoscale.metrics",
            toml::Value::Array(vals),
            &first,
            srcs,
        );
    } else {
        d.assume(
            c,
            "autoscale.metrics",
            toml::Value::Array(vec![toml::Value::Table([("type".to_string(), s("cpu")), ("target_utilization".to_string(), int(80))].into_iter().collect())]),
            "the ScaledObject has no cpu/memory trigger capsim can model; an HPA without metrics defaults to 80% CPU",
        );
    }
}
