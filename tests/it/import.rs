//! `capsim import` on the configs quoted in the five guides
//! (tests/fixtures/import/<guide>/) and on hand-written edge cases: each
//! import validates and runs, its values match the source lines they cite,
//! and `--check` catches a drifted replica count.

use crate::support::{capsim, repo, run_cli, write};
use std::path::{Path, PathBuf};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let d = repo(&format!("tests/fixtures/import/{dir}"));
    let mut v: Vec<PathBuf> = std::fs::read_dir(&d)
        .expect("fixture folder")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    v
}

/// Imports `files` into `dir/model.toml` (+ scenario), asserting success.
fn import(dir: &Path, files: &[PathBuf]) -> (String, Option<String>) {
    let model = dir.join("model.toml");
    let sc = dir.join("scenario.toml");
    let out = capsim()
        .arg("import")
        .args(files)
        .arg("--out")
        .arg(&model)
        .arg("--scenario-out")
        .arg(&sc)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = std::fs::read_to_string(&model).expect("model written");
    (m, std::fs::read_to_string(&sc).ok())
}

/// The model validates and runs a short open scenario.
fn validates_and_runs(dir: &Path, model_text: &str) {
    let model = write(dir, "model.toml", model_text);
    let sc = write(
        dir,
        "short.toml",
        "name = \"short\"\nduration = \"20s\"\nseed = 3\ninterval = \"5s\"\n[workload]\ntype = \"open\"\nrate = 20\n",
    );
    let v = capsim()
        .arg("validate")
        .arg(&model)
        .arg(&sc)
        .output()
        .expect("runs");
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}\n{model_text}",
        String::from_utf8_lossy(&v.stderr)
    );
    let out = run_cli(&model, &sc, &dir.join("out"), &["--quiet"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("out/summary.json").exists());
}

/// Asserts the model has `key = value  # <file>:<line>` (the line written by
/// the importer) and that line `line` of the fixture contains `snippet`.
#[track_caller]
fn cites(model: &str, key: &str, value: &str, fixture: &str, line: usize, snippet: &str) {
    let file = format!("tests/fixtures/import/{fixture}");
    let want = format!("{key} = {value}  # {}:{line}", repo(&file).display());
    assert!(
        model.lines().any(|l| l.trim() == want),
        "missing `{want}` in:\n{model}"
    );
    let src = std::fs::read_to_string(repo(&file)).expect("fixture");
    let got = src.lines().nth(line - 1).unwrap_or("");
    assert!(
        got.contains(snippet),
        "{file}:{line} is `{got}`, expected it to hold `{snippet}`"
    );
}

#[test]
fn ai_mate_deployment() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = import(dir.path(), &fixtures("ai-mate"));
    let f = "ai-mate/deployment.yaml";
    cites(&m, "replicas", "20", f, 8, "replicas: 20");
    cites(&m, "cores", "1", f, 25, "cpu: \"1000m\"");
    cites(&m, "cpu_request", "0.5", f, 22, "cpu: \"500m\"");
    cites(&m, "memory_request_mib", "512", f, 21, "memory: \"512Mi\"");
    cites(
        &m,
        "initial_delay",
        "\"10s\"",
        f,
        36,
        "initialDelaySeconds: 10",
    );
    cites(&m, "period", "\"5s\"", f, 37, "periodSeconds: 5");
    // Rolling update (25% of 20 rounds up to 5, 10% down to 2) and the
    // liveness probe are recorded, not modelled.
    assert!(
        m.contains("maxSurge 25% = 5 of 20 pods, maxUnavailable 10% = 2 of 20 pods"),
        "{m}"
    );
    assert!(
        m.contains("# TODO (not modelled by capsim yet): livenessProbe"),
        "{m}"
    );
    assert!(m.contains("key = \"components.ai-mate-api.cpu\""), "{m}");
    validates_and_runs(dir.path(), &m);
}

#[test]
fn recete_compose_nginx_hpa() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = import(dir.path(), &fixtures("recete"));
    cites(
        &m,
        "replicas",
        "3",
        "recete/docker-compose.yml",
        7,
        "replicas: 3",
    );
    cites(
        &m,
        "replicas",
        "5",
        "recete/docker-compose.yml",
        10,
        "replicas: 5",
    );
    cites(
        &m,
        "max_clients",
        "1000",
        "recete/docker-compose.yml",
        19,
        "MAX_CLIENT_CONN: 1000",
    );
    cites(
        &m,
        "size",
        "25",
        "recete/docker-compose.yml",
        20,
        "DEFAULT_POOL_SIZE: 25",
    );
    cites(
        &m,
        "target",
        "\"postgres\"",
        "recete/docker-compose.yml",
        14,
        "DATABASES_HOST: postgres",
    );
    cites(
        &m,
        "policy",
        "\"least_conn\"",
        "recete/nginx.conf",
        3,
        "least_conn;",
    );
    cites(
        &m,
        "min_replicas",
        "2",
        "recete/hpa.yaml",
        11,
        "minReplicas: 2",
    );
    cites(
        &m,
        "max_replicas",
        "10",
        "recete/hpa.yaml",
        12,
        "maxReplicas: 10",
    );
    // The nginx upstream's three servers are the compose service `api`.
    assert!(m.contains("[components.api.balancer]"), "{m}");
    assert!(!m.contains("[components.api_backend]"), "{m}");
    validates_and_runs(dir.path(), &m);
}

#[test]
fn tikit_railway_render_pgbouncer_k6() {
    let dir = tempfile::tempdir().unwrap();
    let (m, sc) = import(dir.path(), &fixtures("tikit"));
    let sc = sc.expect("a scenario from load-test.js");
    cites(
        &m,
        "max_clients",
        "1000",
        "tikit/pgbouncer.ini",
        7,
        "max_client_conn = 1000",
    );
    cites(
        &m,
        "size",
        "20",
        "tikit/pgbouncer.ini",
        8,
        "default_pool_size = 20",
    );
    cites(
        &m,
        "reserve_size",
        "5",
        "tikit/pgbouncer.ini",
        9,
        "reserve_pool_size = 5",
    );
    cites(
        &m,
        "reserve_timeout",
        "\"3s\"",
        "tikit/pgbouncer.ini",
        10,
        "reserve_pool_timeout = 3",
    );
    cites(
        &m,
        "min_replicas",
        "2",
        "tikit/render.yaml",
        13,
        "minInstances: 2",
    );
    cites(
        &m,
        "max_replicas",
        "10",
        "tikit/render.yaml",
        14,
        "maxInstances: 10",
    );
    cites(
        &m,
        "p95",
        "\"500ms\"",
        "tikit/load-test.js",
        15,
        "p(95)<500",
    );
    cites(
        &m,
        "error_rate",
        "0.01",
        "tikit/load-test.js",
        16,
        "rate<0.01",
    );
    cites(&sc, "think", "\"1s\"", "tikit/load-test.js", 26, "sleep(1)");
    for (line, stage) in [
        (8, "{ duration = \"120s\", target = 100 },"),
        (10, "{ duration = \"120s\", target = 1000 },"),
        (12, "{ duration = \"120s\", target = 0 },"),
    ] {
        let want = format!(
            "  {stage}  # {}:{line}",
            repo("tests/fixtures/import/tikit/load-test.js").display()
        );
        assert!(sc.lines().any(|l| l == want), "missing `{want}` in:\n{sc}");
    }
    // The imported scenario and model load together.
    let mp = write(dir.path(), "model.toml", &m);
    let sp = write(dir.path(), "scenario.toml", &sc);
    let v = capsim().arg("validate").arg(&mp).arg(&sp).output().unwrap();
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    validates_and_runs(dir.path(), &m);
}

#[test]
fn credibility_nginx_hpa_ecs() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = import(dir.path(), &fixtures("credibility-analyzer"));
    cites(
        &m,
        "max_fails",
        "3",
        "credibility-analyzer/nginx.conf",
        4,
        "max_fails=3",
    );
    cites(
        &m,
        "fail_timeout",
        "\"30s\"",
        "credibility-analyzer/nginx.conf",
        4,
        "fail_timeout=30s",
    );
    cites(
        &m,
        "replicas",
        "3",
        "credibility-analyzer/nginx.conf",
        4,
        "server backend-1",
    );
    cites(
        &m,
        "target",
        "70",
        "credibility-analyzer/ecs-policy.json",
        18,
        "\"TargetValue\": 70.0",
    );
    cites(
        &m,
        "scale_out_cooldown",
        "\"60s\"",
        "credibility-analyzer/ecs-policy.json",
        22,
        "\"ScaleOutCooldown\": 60",
    );
    cites(
        &m,
        "scale_in_cooldown",
        "\"300s\"",
        "credibility-analyzer/ecs-policy.json",
        23,
        "\"ScaleInCooldown\": 300",
    );
    cites(
        &m,
        "stabilization_window",
        "\"300s\"",
        "credibility-analyzer/hpa-api.yaml",
        29,
        "stabilizationWindowSeconds: 300",
    );
    cites(
        &m,
        "select_policy",
        "\"Max\"",
        "credibility-analyzer/hpa-api.yaml",
        43,
        "selectPolicy: Max",
    );
    assert!(
        m.contains("TODO (not modelled by capsim yet): nginx keepalive 32"),
        "{m}"
    );
    validates_and_runs(dir.path(), &m);
}

#[test]
fn seisoai_railway_and_hpa() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = import(dir.path(), &fixtures("seisoai"));
    cites(
        &m,
        "replicas",
        "3",
        "seisoai/railway.toml",
        4,
        "numReplicas = 3",
    );
    cites(
        &m,
        "min_replicas",
        "3",
        "seisoai/hpa.yaml",
        15,
        "minReplicas: 3",
    );
    cites(
        &m,
        "max_replicas",
        "20",
        "seisoai/hpa.yaml",
        16,
        "maxReplicas: 20",
    );
    cites(
        &m,
        "policy",
        "\"random\"",
        "seisoai/railway.toml",
        3,
        "[deploy]",
    );
    validates_and_runs(dir.path(), &m);
}

#[test]
fn edge_multi_document_quantities_and_surge() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = import(dir.path(), &[repo("tests/fixtures/import/edge/multi.yaml")]);
    let f = "edge/multi.yaml";
    cites(&m, "replicas", "4", f, 19, "replicas: 4");
    cites(&m, "cpu_request", "0.25", f, 34, "cpu: 250m");
    cites(&m, "memory_request_mib", "1536", f, 35, "memory: 1.5Gi");
    cites(&m, "success_threshold", "2", f, 40, "successThreshold: 2");
    cites(&m, "policy", "\"random\"", f, 4, "apiVersion: v1");
    cites(&m, "cores", "2", f, 73, "cpu: \"2\"");
    cites(&m, "max_replicas", "8", f, 83, "maxReplicaCount: 8");
    // 30% of 4 pods rounds up to 2.
    assert!(m.contains("maxSurge 30% = 2 of 4 pods"), "{m}");
    assert!(m.contains("KEDA `redis` trigger"), "{m}");
    validates_and_runs(dir.path(), &m);
}

#[test]
fn edge_arrival_rate_k6_and_nginx() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        repo("tests/fixtures/import/edge/arrival.js"),
        repo("tests/fixtures/import/edge/upstream.conf"),
    ];
    let (m, sc) = import(dir.path(), &files);
    let sc = sc.expect("scenario");
    // 60 per minute at the start, 600 per minute after 1m30s.
    assert!(sc.contains("{ at = \"0s\", rate = 1 },"), "{sc}");
    assert!(sc.contains("{ at = \"90s\", rate = 10 },"), "{sc}");
    cites(
        &sc,
        "duration",
        "\"180s\"",
        "edge/arrival.js",
        12,
        "stages: [",
    );
    cites(
        &m,
        "policy",
        "\"p2c\"",
        "edge/upstream.conf",
        5,
        "random two",
    );
    cites(
        &m,
        "timeout",
        "\"20s\"",
        "edge/upstream.conf",
        14,
        "proxy_read_timeout 20s",
    );
    cites(&m, "replicas", "2", "edge/upstream.conf", 6, "app-1");
    cites(&m, "p99", "\"1000ms\"", "edge/arrival.js", 21, "p(99)<1000");
    assert!(m.contains("limit_req_zone api:10m rate=5r/s"), "{m}");
    let mp = write(dir.path(), "model.toml", &m);
    let sp = write(dir.path(), "scenario.toml", &sc);
    let out = run_cli(&mp, &sp, &dir.path().join("out"), &["--quiet"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_catches_a_drifted_replica_count() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = import(dir.path(), &fixtures("ai-mate"));
    let model = write(dir.path(), "model.toml", &m);
    let same = capsim()
        .arg("import")
        .arg("--check")
        .arg(&model)
        .args(fixtures("ai-mate"))
        .output()
        .unwrap();
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
    // The Deployment now says 5 replicas; the model still says 20.
    let text =
        std::fs::read_to_string(repo("tests/fixtures/import/ai-mate/deployment.yaml")).unwrap();
    let drifted = write(
        dir.path(),
        "deployment.yaml",
        &text.replace("replicas: 20", "replicas: 5"),
    );
    let out = capsim()
        .arg("import")
        .arg("--check")
        .arg(&model)
        .arg(&drifted)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let want = format!(
        "`components.ai-mate-api.replicas` = 20, but {}:8 says 5",
        drifted.display()
    );
    assert!(stdout.contains(&want), "{stdout}");
    assert!(
        stdout.contains("model.toml:"),
        "the model's line is named: {stdout}"
    );
    // A bundled model checked against its guide's manifest: in sync.
    let ok = capsim()
        .arg("import")
        .arg("--check")
        .arg(repo("models/recete.toml"))
        .arg(repo("tests/fixtures/import/recete/nginx.conf"))
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
}

#[test]
fn bad_input_exits_2_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(
        dir.path(),
        "deploy.yaml",
        "kind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: [1,\n",
    );
    let out = capsim().arg("import").arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("deploy.yaml:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let k6 = write(dir.path(), "t.js", "export default function () {}\n");
    assert_eq!(
        capsim()
            .arg("import")
            .arg(&k6)
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    let missing = capsim()
        .arg("import")
        .arg("--check")
        .arg(dir.path().join("nope.toml"))
        .arg(&k6)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn assumptions_key_is_checked_with_locations() {
    let dir = tempfile::tempdir().unwrap();
    let base = "[[classes]]\nname = \"a\"\nshare = 1\nentry = \"api\"\n[components.api]\nkind = \"service\"\ncpu = \"1ms\"\n";
    let good = write(dir.path(), "good.toml", &format!("{base}[[assumptions]]\nkey = \"components.api.cpu\"\nvalue = \"1ms\"\nwhy = \"a guess\"\nsource = \"me\"\n"));
    assert_eq!(
        capsim()
            .arg("validate")
            .arg(&good)
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    let sys = capsim::model::load_model(&good).unwrap();
    assert_eq!(sys.assumptions.len(), 1);
    assert_eq!(sys.assumptions[0].value, "\"1ms\"");
    let bad = write(dir.path(), "bad.toml", &format!("{base}[[assumptions]]\nkey = \"components..cpu\"\nvalue = 1\nwhy = \"x\"\n[[assumptions]]\nkey = \"a\"\nvalue = 1\nwhy = \" \"\n[[assumptions]]\nkey = \"a\"\nvalue = 2\nwhy = \"y\"\n"));
    let out = capsim().arg("validate").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:9:7: `assumptions[0].key`"), "{err}");
    assert!(
        err.contains("`assumptions[1].why`: found an empty reason"),
        "{err}"
    );
    assert!(
        err.contains("`assumptions[2].key`: `a` is already assumed by assumptions[1]"),
        "{err}"
    );
}

#[test]
fn edge_compose_and_constant_arrival_rate() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        repo("tests/fixtures/import/edge/docker-compose.yml"),
        repo("tests/fixtures/import/edge/constant.js"),
    ];
    let out = capsim()
        .arg("import")
        .args(&files)
        .arg("--out")
        .arg(dir.path().join("model.toml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let m = std::fs::read_to_string(dir.path().join("model.toml")).unwrap();
    // Default scenario path: beside --out.
    let sc = std::fs::read_to_string(dir.path().join("model-scenario.toml"))
        .expect("scenario beside --out");
    let f = "edge/docker-compose.yml";
    cites(&m, "replicas", "4", f, 10, "replicas: 4");
    cites(&m, "cores", "1.5", f, 13, "cpus: \"1.5\"");
    cites(&m, "cpu_request", "0.5", f, 16, "cpus: '0.5'");
    cites(&m, "memory_request_mib", "512", f, 17, "memory: 512M");
    cites(&m, "read_replicas", "2", f, 26, "replicas: 3");
    assert!(m.contains("[components.cache]\nkind = \"cache\""), "{m}");
    assert!(m.contains("key = \"components.cache.hit_ratio\""), "{m}");
    assert!(
        m.contains("calls = [  # "),
        "depends_on as calls, one per line: {m}"
    );
    // 300 per minute is 5 requests/s; `vus` is an expression, not read.
    cites(&sc, "rate", "5", "edge/constant.js", 5, "rate: 300");
    cites(
        &sc,
        "duration",
        "\"90s\"",
        "edge/constant.js",
        5,
        "duration: '1m30s'",
    );
    cites(&m, "error_rate", "0.05", "edge/constant.js", 7, "rate<0.05");
    assert!(
        stderr.contains("constant.js:7: threshold `checks: rate>0.99`"),
        "{stderr}"
    );
    assert!(stderr.contains("constant.js:3: `options.vus`"), "{stderr}");
    cites(
        &m,
        "drain_grace",
        "\"10s\"",
        f,
        32,
        "stop_grace_period: 10s",
    );
    assert!(
        stderr.contains("docker-compose.yml:33: `services.mailer.ulimits`"),
        "{stderr}"
    );
    let mp = write(dir.path(), "model.toml", &m);
    let sp = write(dir.path(), "scenario.toml", &sc);
    let run = run_cli(&mp, &sp, &dir.path().join("out"), &["--quiet"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
