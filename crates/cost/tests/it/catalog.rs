//! The shipped catalog, user overrides and unknown-SKU messages.

use std::collections::BTreeSet;

use capsim_cost::catalog::BUILTIN_CSV;
use capsim_cost::{Catalog, CostError, Granularity, Unit, Verified};

#[test]
fn shipped_catalog_keeps_every_research_row() {
    let catalog = Catalog::builtin().unwrap();
    // The research table the catalog is generated from has 215 rows: 174 verified
    // against a stored source, 41 estimates.
    let rows = BUILTIN_CSV.lines().count() - 1;
    assert_eq!(rows, 215);
    assert_eq!(
        catalog.len(),
        rows,
        "ids must be unique (a duplicate would replace a row)"
    );
    let verified = catalog
        .iter()
        .filter(|s| s.verified == Verified::Yes)
        .count();
    assert_eq!((verified, catalog.len() - verified), (174, 41));
    for sku in catalog.iter() {
        let ok_chars = sku
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
        assert!(
            ok_chars && sku.id.split('.').count() >= 3,
            "id `{}`",
            sku.id
        );
        assert!(!sku.unit_label.is_empty(), "{}", sku.id);
        if sku.verified == Verified::Yes && sku.price_usd != 0.0 {
            assert!(
                sku.source_url.starts_with("http"),
                "{} has no source",
                sku.id
            );
        }
    }
}

#[test]
fn shipped_rows_carry_billing_rules() {
    let catalog = Catalog::builtin().unwrap();
    let m7i = catalog.get("aws.ec2.m7i.large").unwrap();
    assert_eq!(
        (m7i.price_usd, m7i.unit, m7i.granularity, m7i.minimum_s),
        (0.1008, Unit::Hour, Granularity::Second, 60)
    );
    let render = catalog.get("render.web.standard").unwrap();
    assert_eq!(
        (
            render.price_usd,
            render.unit,
            render.granularity,
            render.month_hours
        ),
        (25.0, Unit::Month, Granularity::Second, 730)
    );
    let fly = catalog.get("fly.machine.shared-cpu-1x-1gb").unwrap();
    assert_eq!((fly.unit, fly.month_hours), (Unit::Month, 720));
    let rds = catalog.get("aws.rds.db.t4g.micro").unwrap();
    assert_eq!((rds.granularity, rds.minimum_s), (Granularity::Second, 600));
    assert_eq!(
        catalog.get("aws.alb.hour").unwrap().granularity,
        Granularity::Hour
    );
    assert_eq!(
        catalog.get("railway.compute.vcpu").unwrap().granularity,
        Granularity::Minute
    );
    assert_eq!(catalog.get("aws.egress.to-10tb").unwrap().unit, Unit::Gb);
    assert_eq!(
        catalog.get("gcp.gke.free-tier.credit").unwrap().price_usd,
        -74.4
    );
}

#[test]
fn unknown_sku_names_close_matches() {
    let catalog = Catalog::builtin().unwrap();
    let err = catalog.get("aws.ec2.m7i.larg").unwrap_err();
    let CostError::UnknownSku { suggestions, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(suggestions[0], "aws.ec2.m7i.large");
    assert!(
        err.to_string()
            .starts_with("unknown SKU `aws.ec2.m7i.larg`; did you mean `aws.ec2.m7i.large`"),
        "{err}"
    );

    let err = catalog.get("render.standard").unwrap_err();
    assert!(err.to_string().contains("`render.web.standard`"), "{err}");
    let err = catalog.get("m7g.large").unwrap_err();
    assert!(err.to_string().contains("`aws.ec2.m7g.large`"), "{err}");
    let err = catalog.get("qqqqqqqqqqqqqqqqqqqq").unwrap_err();
    assert!(err.to_string().contains("no similar SKU"), "{err}");
}

#[test]
fn toml_overrides_and_new_skus() {
    let mut catalog = Catalog::builtin().unwrap();
    catalog
        .merge_toml_str(
            "[[sku]]\nid = \"aws.ec2.m7i.large\"\nprice = 0.07\n\n[[sku]]\nid = \"acme.gpu\"\nprice = 2.5\nunit = \"hour\"\ngranularity = \"minute\"\n",
            "model.toml",
        )
        .unwrap();
    let m7i = catalog.get("aws.ec2.m7i.large").unwrap();
    assert_eq!(
        (m7i.price_usd, m7i.minimum_s, m7i.verified),
        (0.07, 60, Verified::User)
    );
    let gpu = catalog.get("acme.gpu").unwrap();
    assert_eq!(
        (gpu.price_usd, gpu.granularity, gpu.provider.as_str()),
        (2.5, Granularity::Minute, "user")
    );

    let err = catalog
        .merge_toml_str("[[sku]]\nid = \"acme.x\"\nprice = 1.0\n", "p.toml")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("p.toml: [[sku]] #1 (id = \"acme.x\"): a new SKU needs `unit`"),
        "{err}"
    );
    let err = catalog
        .merge_toml_str("[[sku]]\nid = \"acme.x\"\n\nprise = 1.0\n", "p.toml")
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("p.toml line 4: unknown field `prise`"),
        "{err}"
    );
    let err = catalog
        .merge_toml_str(
            "[[sku]]\nid = \"acme.x\"\nprice = 1.0\nunit = \"fortnight\"\n",
            "p.toml",
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("line 4") && err.to_string().contains("fortnight"),
        "{err}"
    );
    let err = catalog
        .merge_toml_str(
            "[[sku]]\nid = \"acme.x\"\nprice = 1.0\nunit = \"gb\"\ngranularity = \"second\"\n",
            "p.toml",
        )
        .unwrap_err();
    assert!(err.to_string().contains("does not fit unit `gb`"), "{err}");
}

#[test]
fn pricing_files_csv_and_toml() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("prices.csv");
    std::fs::write(
        &csv_path,
        "id,price,unit,granularity,minimum_s\nacme.vm,0.25,hour,second,60\nacme.bw,0.01,gb,,\n",
    )
    .unwrap();
    let toml_path = dir.path().join("prices.toml");
    std::fs::write(&toml_path, "[[sku]]\nid = \"acme.vm\"\nprice = 0.125\n").unwrap();
    let mut catalog = Catalog::empty();
    catalog.merge_file(&csv_path).unwrap();
    assert_eq!(
        catalog.get("acme.bw").unwrap().granularity,
        Granularity::Usage
    );
    assert_eq!(catalog.get("acme.vm").unwrap().verified, Verified::User);
    catalog.merge_file(&toml_path).unwrap();
    assert_eq!(catalog.get("acme.vm").unwrap().price_usd, 0.125);
    assert_eq!(catalog.get("acme.vm").unwrap().minimum_s, 60);

    std::fs::write(&csv_path, "id,price,unit\nacme.vm,cheap,hour\n").unwrap();
    let err = catalog.merge_file(&csv_path).unwrap_err().to_string();
    assert!(
        err.contains("prices.csv line 2") && err.contains("expected a number, found `cheap`"),
        "{err}"
    );
    let err = catalog
        .merge_file(&dir.path().join("missing.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot read pricing file"), "{err}");
}

#[test]
fn ids_are_ordered_and_stable() {
    let catalog = Catalog::builtin().unwrap();
    let ids: Vec<&str> = catalog.iter().map(|s| s.id.as_str()).collect();
    let sorted: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids, sorted.into_iter().collect::<Vec<_>>());
}
