//! Platform configs → replicas and autoscalers: Railway (`railway.toml` /
//! `railway.json`: replicas only — Railway does not autoscale horizontally),
//! Render (`render.yaml` `scaling` → the HPA formula Render documents), and
//! an ECS `put-scaling-policy` JSON (target tracking).

use super::draft::{comp_name, int, num, s, secs, Draft, Field, Origin, Src};
use super::node::Node;

/// Railway: `deploy.numReplicas`. The file does not name its service, so
/// the values go to the only service imported (or a new `app`).
pub fn railway(d: &mut Draft, file: &str, root: &Node) {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    root.ignore(&["$schema", "build"]);
    d.unnamed_what = Some(("Railway config".into(), at(root)));
    if let Some(dep) = root.get("deploy") {
        dep.ignore(&[
            "startCommand",
            "preDeployCommand",
            "cronSchedule",
            "sleepApplication",
        ]);
        if let Some(n) = dep.get("numReplicas") {
            match n.count() {
                Some(v) => push(d, "replicas", int(v), at(n)),
                None => d.warn(
                    &at(n),
                    format!("numReplicas is {}, expected a whole number", n.describe()),
                ),
            }
        }
        // Railway's proxy spreads requests at random over a region's
        // replicas and takes none out on failures.
        push(d, "balancer.policy", s("random"), at(dep));
        push(d, "balancer.max_fails", int(0), at(dep));
        for k in [
            "healthcheckPath",
            "healthcheckTimeout",
            "restartPolicyType",
            "restartPolicyMaxRetries",
            "multiRegionConfig",
            "region",
            "overlapSeconds",
            "drainingSeconds",
        ] {
            if let Some(n) = dep.get(k) {
                n.touch_all();
                if k == "drainingSeconds" {
                    if let Some(v) = n.num() {
                        push(d, "drain_grace", secs(v), at(n));
                        continue;
                    }
                }
                d.warn(
                    &at(n),
                    format!("Railway deploy.{k} is not modelled by capsim yet: ignored"),
                );
            }
        }
    }
    d.warn_unread(file, root, "", "Railway");
}

fn push(d: &mut Draft, key: &str, value: toml::Value, src: Src) {
    d.unnamed.push(Field {
        key: key.into(),
        value,
        origin: Origin::From(src),
        elem_src: Vec::new(),
    });
}

/// Render blueprint: `services[]` with `numInstances` or `scaling`.
pub fn render(d: &mut Draft, file: &str, root: &Node) {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    root.ignore(&[
        "envVarGroups",
        "previews",
        "previewsEnabled",
        "previewsExpireAfterDays",
    ]);
    if let Some(dbs) = root.get("databases") {
        for db in dbs.items() {
            let name = db
                .get("name")
                .and_then(Node::text)
                .map(|n| comp_name(&n))
                .unwrap_or_else(|| "db".into());
            db.touch_all();
            let c = d.comp(&name, "database", &at(db), "Render database");
            if let Some(n) = db.get("readReplicas") {
                let count = n.items().len() as u32;
                d.set(c, "read_replicas", int(count), &at(n));
            }
        }
    }
    for svc in root.get("services").map(Node::items).unwrap_or(&[]) {
        svc.ignore(&[
            "env",
            "runtime",
            "plan",
            "buildCommand",
            "startCommand",
            "autoDeploy",
            "envVars",
            "repo",
            "branch",
            "rootDir",
            "dockerfilePath",
            "dockerContext",
            "region",
            "domains",
            "buildFilter",
            "preDeployCommand",
            "disk",
            "image",
            "healthCheckPath",
            "ipAllowList",
        ]);
        let name = svc
            .get("name")
            .and_then(Node::text)
            .map(|n| comp_name(&n))
            .unwrap_or_else(|| "app".into());
        let ty = svc
            .get("type")
            .and_then(Node::text)
            .unwrap_or_else(|| "web".into());
        if !matches!(
            ty.as_str(),
            "web" | "worker" | "pserv" | "private_service" | "background_worker"
        ) {
            svc.touch_all();
            d.warn(
                &at(svc),
                format!("Render service type `{ty}` is not imported"),
            );
            continue;
        }
        let c = d.comp(&name, "service", &at(svc), &format!("Render {ty} service"));
        if let Some(n) = svc.get("numInstances") {
            if let Some(v) = n.count() {
                d.set(c, "replicas", int(v), &at(n));
            }
        }
        if let Some(sc) = svc.get("scaling") {
            // Render: new = ceil(current x utilization / target) on CPU and
            // memory, the larger wins: the HPA formula (its windows are not
            // published, so the HPA's defaults stand).
            d.set(c, "autoscale.kind", s("hpa"), &at(sc));
            if let Some(n) = sc.get("minInstances").filter(|n| n.count().is_some()) {
                d.set(
                    c,
                    "autoscale.min_replicas",
                    int(n.count().unwrap_or(1)),
                    &at(n),
                );
                if svc.get("numInstances").is_none() {
                    d.set(c, "replicas", int(n.count().unwrap_or(1)), &at(n));
                }
            }
            if let Some(n) = sc.get("maxInstances").filter(|n| n.count().is_some()) {
                d.set(
                    c,
                    "autoscale.max_replicas",
                    int(n.count().unwrap_or(1)),
                    &at(n),
                );
            }
            let mut vals = Vec::new();
            let mut srcs = Vec::new();
            for (k, metric) in [
                ("targetCPUPercent", "cpu"),
                ("targetMemoryPercent", "memory"),
            ] {
                if let Some(n) = sc.get(k) {
                    if let Some(v) = n.num() {
                        vals.push(toml::Value::Table(
                            [
                                ("type".to_string(), s(metric)),
                                ("target_utilization".to_string(), num(v)),
                            ]
                            .into_iter()
                            .collect(),
                        ));
                        srcs.push(at(n));
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
            }
        }
        if let Some(n) = svc.get("healthCheckPath") {
            n.touch();
        }
    }
    d.warn_unread(file, root, "", "Render");
}

/// ECS Application Auto Scaling: the `put-scaling-policy` input (CLI JSON
/// or just its `TargetTrackingScalingPolicyConfiguration`), optionally with
/// the `register-scalable-target` bounds (`MinCapacity`, `MaxCapacity`), or
/// a list of such objects.
pub fn ecs(d: &mut Draft, file: &str, root: &Node) {
    let objs: Vec<&Node> = match &root.value {
        super::node::Value::Seq(items) => {
            root.touch();
            items.iter().collect()
        }
        _ => vec![root],
    };
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    let name = objs
        .iter()
        .find_map(|o| o.get("ResourceId").and_then(Node::text))
        .map(|r| comp_name(r.rsplit('/').next().unwrap_or(&r)))
        .unwrap_or_default();
    let c = if name.is_empty() {
        None
    } else {
        if d.comp_index(&name).is_none() {
            d.warn(
                &at(root),
                format!("ECS service `{name}` is not defined by another imported file: created"),
            );
        }
        Some(d.comp(&name, "service", &at(root), "ECS service"))
    };
    let mut fields: Vec<(String, toml::Value, Src)> = Vec::new();
    let mut has_bounds = (false, false);
    for o in &objs {
        o.ignore(&[
            "//",
            "ServiceNamespace",
            "ScalableDimension",
            "PolicyName",
            "ResourceId",
            "RoleARN",
            "SuspendedState",
        ]);
        if let Some(n) = o.get("MinCapacity").filter(|n| n.count().is_some()) {
            fields.push((
                "autoscale.min_replicas".into(),
                int(n.count().unwrap_or(1)),
                at(n),
            ));
            has_bounds.0 = true;
        }
        if let Some(n) = o.get("MaxCapacity").filter(|n| n.count().is_some()) {
            fields.push((
                "autoscale.max_replicas".into(),
                int(n.count().unwrap_or(1)),
                at(n),
            ));
            has_bounds.1 = true;
        }
        if let Some(n) = o.get("PolicyType") {
            if n.text().as_deref() != Some("TargetTrackingScaling") {
                n.touch_all();
                d.warn(
                    &at(n),
                    format!(
                        "PolicyType {}: only TargetTrackingScaling is imported",
                        n.describe()
                    ),
                );
            }
        }
        let cfg = o
            .get("TargetTrackingScalingPolicyConfiguration")
            .unwrap_or(o);
        if cfg.get("TargetValue").is_none() {
            continue;
        }
        fields.push(("autoscale.kind".into(), s("target_tracking"), at(cfg)));
        // ALBRequestCountPerTarget counts requests per target per minute;
        // capsim's `rps` metric is per second.
        let mut per_minute = false;
        if let Some(m) = cfg.get("PredefinedMetricSpecification") {
            let ty = m
                .get("PredefinedMetricType")
                .and_then(Node::text)
                .unwrap_or_default();
            m.ignore(&["ResourceLabel"]);
            let metric = match ty.as_str() {
                "ECSServiceAverageCPUUtilization" => Some("cpu"),
                "ECSServiceAverageMemoryUtilization" => Some("memory"),
                "ALBRequestCountPerTarget" => {
                    per_minute = true;
                    Some("rps")
                }
                _ => None,
            };
            match metric {
                Some(mt) => fields.push(("autoscale.metric".into(), s(mt), at(m))),
                None => d.warn(&at(m), format!("metric {ty} is not one capsim measures: the policy keeps capsim's default metric")),
            }
        }
        if let Some(n) = cfg.get("TargetValue") {
            if let Some(v) = n.num() {
                let v = if per_minute { v / 60.0 } else { v };
                fields.push(("autoscale.target".into(), num(v), at(n)));
            }
        }
        if let Some(m) = cfg.get("CustomizedMetricSpecification") {
            m.touch_all();
            d.warn(
                &at(m),
                "CustomizedMetricSpecification is not supported by capsim import: ignored",
            );
        }
        for (k, key) in [
            ("ScaleOutCooldown", "scale_out_cooldown"),
            ("ScaleInCooldown", "scale_in_cooldown"),
        ] {
            if let Some(n) = cfg.get(k) {
                if let Some(v) = n.num() {
                    fields.push((format!("autoscale.{key}"), secs(v), at(n)));
                }
            }
        }
        if let Some(n) = cfg.get("DisableScaleIn") {
            if let Some(v) = n.boolean() {
                fields.push((
                    "autoscale.disable_scale_in".into(),
                    toml::Value::Boolean(v),
                    at(n),
                ));
            }
        }
    }
    let c = match c {
        Some(c) => c,
        None => {
            // No ResourceId: like Railway, the values go to "the service".
            for (k, v, src) in fields {
                push(d, &k, v, src);
            }
            d.unnamed_what
                .get_or_insert(("ECS scaling policy".into(), at(root)));
            d.warn_unread(file, root, "", "ECS scaling policy");
            return;
        }
    };
    for (k, v, src) in fields {
        d.set(c, &k, v, &src);
    }
    if d.comps[c].get("autoscale.kind").is_some() {
        if !has_bounds.0 {
            d.assume(
                c,
                "autoscale.min_replicas",
                int(1),
                "the scaling policy does not carry register-scalable-target's MinCapacity",
            );
        }
        if !has_bounds.1 {
            d.assume(
                c,
                "autoscale.max_replicas",
                int(10),
                "the scaling policy does not carry register-scalable-target's MaxCapacity",
            );
        }
    }
    d.warn_unread(file, root, "", "ECS scaling policy");
}
