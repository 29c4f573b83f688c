//! Kubernetes `HorizontalPodAutoscaler` manifests (`autoscaling/v2`) exactly as users
//! write them, resolved into an [`HpaSpec`]. Unknown fields are rejected so a typo
//! (`averageUtilisation`) is an error, not a silently ignored target.

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::duration::NS_PER_S;
use crate::error::Error;
use crate::hpa::{
    Behavior, HpaMetric, HpaSpec, MetricTarget, ResourceName, ResourceTarget, ScalingPolicy,
    ScalingPolicyType, ScalingRules, SelectPolicy,
};
use crate::quantity::{parse_quantity_milli, to_milli};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Manifest {
    api_version: String,
    kind: String,
    #[serde(default)]
    #[allow(dead_code)] // accepted, not used
    metadata: Option<IgnoredAny>,
    spec: SpecYaml,
    #[serde(default)]
    #[allow(dead_code)] // accepted, not used
    status: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SpecYaml {
    #[allow(dead_code)]
    scale_target_ref: IgnoredAny,
    min_replicas: Option<u32>,
    max_replicas: u32,
    #[serde(default)]
    metrics: Option<Vec<MetricYaml>>,
    #[serde(default)]
    behavior: Option<BehaviorYaml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MetricYaml {
    #[serde(rename = "type")]
    kind: String,
    resource: Option<ResourceYaml>,
    pods: Option<SourceYaml>,
    object: Option<SourceYaml>,
    external: Option<SourceYaml>,
    #[allow(dead_code)] // accepted, not used
    container_resource: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResourceYaml {
    name: String,
    target: TargetYaml,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SourceYaml {
    metric: MetricIdYaml,
    target: TargetYaml,
    #[serde(default)]
    #[allow(dead_code)] // accepted, not used
    described_object: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MetricIdYaml {
    name: String,
    #[serde(default)]
    #[allow(dead_code)] // accepted, not used
    selector: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetYaml {
    #[serde(rename = "type")]
    kind: String,
    average_utilization: Option<i32>,
    average_value: Option<Quantity>,
    value: Option<Quantity>,
}

/// A quantity written as a YAML number (`100`) or string (`"500m"`, `1Gi`).
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum Quantity {
    Number(f64),
    Text(String),
}

impl Quantity {
    /// The quantity in milli-units.
    pub fn milli(&self) -> Result<i64, String> {
        match self {
            Quantity::Number(v) => Ok(to_milli(*v)),
            Quantity::Text(s) => parse_quantity_milli(s),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BehaviorYaml {
    scale_up: Option<RulesYaml>,
    scale_down: Option<RulesYaml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RulesYaml {
    stabilization_window_seconds: Option<u32>,
    select_policy: Option<String>,
    policies: Option<Vec<PolicyYaml>>,
    tolerance: Option<Quantity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PolicyYaml {
    #[serde(rename = "type")]
    kind: String,
    value: u32,
    period_seconds: u32,
}

/// Parses a manifest (one YAML document, or a multi-document file holding exactly one
/// HorizontalPodAutoscaler) into a spec with the controller-manager defaults.
pub fn parse_hpa_manifest(text: &str) -> Result<HpaSpec, Error> {
    let docs: Vec<serde_norway::Value> = serde_norway::Deserializer::from_str(text)
        .map(serde_norway::Value::deserialize)
        .collect::<Result<_, _>>()
        .map_err(yaml_error)?;
    let kinds: Vec<String> = docs
        .iter()
        .map(|d| {
            d.get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("<none>")
                .to_string()
        })
        .collect();
    let hpas: Vec<&serde_norway::Value> = docs
        .iter()
        .filter(|d| d.get("kind").and_then(|k| k.as_str()) == Some("HorizontalPodAutoscaler"))
        .collect();
    let manifest: Manifest = match (docs.len(), hpas.as_slice()) {
        // One document: parse the text again so errors carry line and column.
        (1, _) => serde_norway::from_str(text).map_err(yaml_error)?,
        (_, [one]) => serde_norway::from_value((*one).clone()).map_err(yaml_error)?,
        _ => {
            return Err(Error::config(format!(
                "expected exactly one HorizontalPodAutoscaler document, found kinds {kinds:?}"
            )))
        }
    };
    resolve(manifest).map_err(Error::config)
}

fn yaml_error(e: serde_norway::Error) -> Error {
    Error::Config {
        location: e
            .location()
            .map(|l| format!("line {}, column {}", l.line(), l.column())),
        message: {
            let m = e.to_string();
            match m.rfind(" at line ") {
                Some(i) if e.location().is_some() => m[..i].to_string(),
                _ => m,
            }
        },
    }
}

fn resolve(m: Manifest) -> Result<HpaSpec, String> {
    if m.kind != "HorizontalPodAutoscaler" {
        return Err(format!(
            "kind: expected HorizontalPodAutoscaler, found {:?}",
            m.kind
        ));
    }
    if !matches!(
        m.api_version.as_str(),
        "autoscaling/v2" | "autoscaling/v2beta2"
    ) {
        return Err(format!(
            "apiVersion: expected autoscaling/v2, found {:?}",
            m.api_version
        ));
    }
    let metrics = m
        .spec
        .metrics
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, y)| metric(y).map_err(|e| format!("spec.metrics[{i}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut spec = HpaSpec::new(
        m.spec.min_replicas.unwrap_or(1),
        m.spec.max_replicas,
        metrics,
    );
    if let Some(b) = m.spec.behavior {
        spec.behavior = Some(Behavior {
            scale_up: b.scale_up.map(|r| rules(r, "scaleUp")).transpose()?,
            scale_down: b.scale_down.map(|r| rules(r, "scaleDown")).transpose()?,
        });
    }
    spec.validate()?;
    Ok(spec)
}

fn metric(y: MetricYaml) -> Result<HpaMetric, String> {
    let missing = |field: &str| format!("type {} needs a `{field}` block", y.kind);
    match y.kind.as_str() {
        "Resource" => {
            let r = y.resource.as_ref().ok_or_else(|| missing("resource"))?;
            let name = match r.name.as_str() {
                "cpu" => ResourceName::Cpu,
                "memory" => ResourceName::Memory,
                other => {
                    return Err(format!(
                        "resource.name: expected cpu or memory, found {other:?}"
                    ))
                }
            };
            let target = match r.target.kind.as_str() {
                "Utilization" => ResourceTarget::Utilization(
                    r.target
                        .average_utilization
                        .ok_or("target type Utilization needs averageUtilization")?,
                ),
                "AverageValue" => ResourceTarget::AverageValue(
                    r.target
                        .average_value
                        .as_ref()
                        .ok_or("target type AverageValue needs averageValue")?
                        .milli()?,
                ),
                other => {
                    return Err(format!(
                    "resource target.type: expected Utilization or AverageValue, found {other:?}"
                ))
                }
            };
            Ok(HpaMetric::Resource { name, target })
        }
        "Pods" => {
            let p = y.pods.as_ref().ok_or_else(|| missing("pods"))?;
            if p.target.kind != "AverageValue" {
                return Err(format!(
                    "pods target.type: expected AverageValue, found {:?}",
                    p.target.kind
                ));
            }
            let v = p
                .target
                .average_value
                .as_ref()
                .ok_or("target type AverageValue needs averageValue")?
                .milli()?;
            Ok(HpaMetric::Pods {
                name: p.metric.name.clone(),
                average_value_milli: v,
            })
        }
        "Object" | "External" => {
            let src = if y.kind == "Object" {
                y.object.as_ref()
            } else {
                y.external.as_ref()
            };
            let s = src.ok_or_else(|| {
                missing(if y.kind == "Object" {
                    "object"
                } else {
                    "external"
                })
            })?;
            let target = match s.target.kind.as_str() {
                "Value" => MetricTarget::Value(
                    s.target
                        .value
                        .as_ref()
                        .ok_or("target type Value needs value")?
                        .milli()?,
                ),
                "AverageValue" => MetricTarget::AverageValue(
                    s.target
                        .average_value
                        .as_ref()
                        .ok_or("target type AverageValue needs averageValue")?
                        .milli()?,
                ),
                other => {
                    return Err(format!(
                        "target.type: expected Value or AverageValue, found {other:?}"
                    ))
                }
            };
            let name = s.metric.name.clone();
            Ok(if y.kind == "Object" {
                HpaMetric::Object { name, target }
            } else {
                HpaMetric::External { name, target }
            })
        }
        "ContainerResource" => Err("type ContainerResource is not supported (use Resource)".into()),
        other => Err(format!(
            "type: expected Resource, Pods, Object or External, found {other:?}"
        )),
    }
}

fn rules(r: RulesYaml, dir: &str) -> Result<ScalingRules, String> {
    let select_policy = r
        .select_policy
        .map(|s| match s.as_str() {
            "Max" => Ok(SelectPolicy::Max),
            "Min" => Ok(SelectPolicy::Min),
            "Disabled" => Ok(SelectPolicy::Disabled),
            other => Err(format!(
                "behavior.{dir}.selectPolicy: expected Max, Min or Disabled, found {other:?}"
            )),
        })
        .transpose()?;
    let policies = r
        .policies
        .map(|ps| {
            ps.into_iter()
                .map(|p| {
                    let kind = match p.kind.as_str() {
                        "Pods" => ScalingPolicyType::Pods,
                        "Percent" => ScalingPolicyType::Percent,
                        other => {
                            return Err(format!("behavior.{dir}.policies[].type: expected Pods or Percent, found {other:?}"))
                        }
                    };
                    Ok(ScalingPolicy { kind, value: p.value, period_ns: u64::from(p.period_seconds) * NS_PER_S })
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .transpose()?;
    let tolerance = r
        .tolerance
        .map(|q| q.milli().map(|m| m as f64 / 1000.0))
        .transpose()?;
    Ok(ScalingRules {
        stabilization_window_ns: r
            .stabilization_window_seconds
            .map(|s| u64::from(s) * NS_PER_S),
        select_policy,
        policies,
        tolerance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The manifest of seed 004 (Credibility Analyzer), verbatim.
    const SEED_004: &str = "# hpa-api.yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: credibility-api-hpa
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: credibility-api
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 70
  - type: Resource
    resource:
      name: memory
      target:
        type: Utilization
        averageUtilization: 80
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      policies:
      - type: Percent
        value: 10
        periodSeconds: 60
    scaleUp:
      stabilizationWindowSeconds: 0
      policies:
      - type: Percent
        value: 100
        periodSeconds: 15
      - type: Pods
        value: 4
        periodSeconds: 15
      selectPolicy: Max
";

    /// The manifest of seed 002 (Recete), verbatim.
    const SEED_002: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api-hpa
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: api
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 70
";

    #[test]
    fn seed_manifests_parse() {
        let s = parse_hpa_manifest(SEED_004).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.min_replicas, s.max_replicas), (2, 10));
        assert_eq!(s.metrics.len(), 2);
        let b = s.behavior.as_ref().map(|b| b.resolve(300 * NS_PER_S));
        let (up, down) = b.unwrap_or_else(|| panic!("behavior present"));
        assert_eq!(up.policies.len(), 2);
        assert_eq!(down.select_policy, SelectPolicy::Max);
        assert_eq!(down.stabilization_window_ns, 300 * NS_PER_S);
        let s = parse_hpa_manifest(SEED_002).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.behavior.is_none(), "no behavior → legacy path");
    }

    #[test]
    fn errors_name_the_place_and_what_was_expected() {
        let typo = SEED_002.replace("averageUtilization", "averageUtilisation");
        let e = parse_hpa_manifest(&typo).unwrap_err().to_string();
        assert!(
            e.contains("line 18, column 9") && e.contains("averageUtilisation"),
            "{e}"
        );
        let e = parse_hpa_manifest(&SEED_002.replace("name: cpu", "name: gpu"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("spec.metrics[0]") && e.contains("expected cpu or memory"),
            "{e}"
        );
    }

    #[test]
    fn empty_behavior_and_other_sources() {
        let text = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: x}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: x}
  maxReplicas: 20
  metrics:
  - type: Pods
    pods:
      metric: {name: rps}
      target: {type: AverageValue, averageValue: \"100\"}
  - type: External
    external:
      metric: {name: queue_depth, selector: {matchLabels: {queue: jobs}}}
      target: {type: AverageValue, averageValue: 30}
  - type: Object
    object:
      describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main}
      metric: {name: p95_latency_ms}
      target: {type: Value, value: 500m}
  behavior: {}
";
        let s = parse_hpa_manifest(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.min_replicas, 1);
        assert_eq!(s.behavior, Some(Behavior::default()));
        assert_eq!(
            s.metrics[0],
            HpaMetric::Pods {
                name: "rps".into(),
                average_value_milli: 100_000
            }
        );
        assert_eq!(
            s.metrics[2],
            HpaMetric::Object {
                name: "p95_latency_ms".into(),
                target: MetricTarget::Value(500)
            }
        );
    }
}
