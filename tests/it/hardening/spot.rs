//! Item 3: spot interruptions have a rate cap.

use super::load_error;

#[test]
fn interruption_rates_above_the_cap_are_located_errors() {
    let model = r#"
[[classes]]
name = "req"
share = 1.0
entry = "api"

[components.api]
kind = "service"
replicas = 2
cores = 1
cpu = "5ms"
sku = "aws.fargate.x86.vcpu"
discount = { type = "spot", percent = 60, interruptions_per_hour = 1e12 }
"#;
    let e = load_error(
        model,
        "duration = \"10s\"\n[workload]\ntype = \"open\"\nrate = 10\n",
    );
    assert!(e.contains("model.toml:"), "{e}");
    assert!(
        e.contains("expected at most 60 interruptions per replica-hour"),
        "{e}"
    );
}
