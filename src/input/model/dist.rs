//! Probability distributions of durations (service times, think times,
//! latencies), written in files as `{ dist = "exponential", mean = "20ms" }`
//! or, for a constant, just `"20ms"`.
//!
//! Parsing keeps a flat [`DistSpec`] (every field optional) so that a missing
//! or misplaced parameter gets a precise message; [`DistSpec::resolve`] then
//! turns it into a [`Dist`] that samples nanoseconds.

use crate::input::units::Duration;
use capsim_des::StreamRng;
use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, StandardNormal};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// z-score of the 99th percentile of the standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

/// A distribution as written in a file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DistSpec {
    /// constant | exponential | uniform | normal | lognormal | gamma | weibull | empirical
    pub dist: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Duration>,
    /// Empirical: a CSV file of samples, relative to the file that names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Empirical: the column holding the samples (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Empirical: the unit of the samples, `ms` (default), `s`, `us` or `ns`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl DistSpec {
    pub fn constant(d: Duration) -> Self {
        DistSpec {
            dist: "constant".into(),
            value: Some(d),
            ..Default::default()
        }
    }
}

/// Accepts either a duration string (a constant) or a table.
pub fn deserialize_dist<'de, D: Deserializer<'de>>(d: D) -> Result<DistSpec, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = DistSpec;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a duration such as \"20ms\" or a table such as { dist = \"exponential\", mean = \"20ms\" }")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<DistSpec, E> {
            crate::input::units::parse_duration(v)
                .map(DistSpec::constant)
                .map_err(E::custom)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DistSpec, A::Error> {
            DistSpec::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(V)
}

/// Same as [`deserialize_dist`] for an optional field.
pub fn deserialize_opt_dist<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DistSpec>, D::Error> {
    deserialize_dist(d).map(Some)
}

/// A resolved distribution that samples non-negative nanoseconds.
#[derive(Clone, Debug)]
pub enum Dist {
    Constant(u64),
    Exponential {
        mean_ns: f64,
    },
    Uniform {
        lo_ns: f64,
        hi_ns: f64,
    },
    /// Normal truncated at zero by resampling (so the shape stays normal above 0).
    Normal {
        mean_ns: f64,
        sd_ns: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Gamma {
        gamma: Gamma<f64>,
        mean_ns: f64,
    },
    Weibull {
        scale_ns: f64,
        shape: f64,
    },
    Empirical(Vec<u64>),
}

impl Dist {
    /// Draws one value in nanoseconds.
    #[inline]
    pub fn sample(&self, rng: &mut StreamRng) -> u64 {
        let x = match self {
            Dist::Constant(v) => return *v,
            Dist::Exponential { mean_ns } => {
                let e: f64 = rng.sample(Exp1);
                e * mean_ns
            }
            Dist::Uniform { lo_ns, hi_ns } => lo_ns + (hi_ns - lo_ns) * rng.random::<f64>(),
            Dist::Normal { mean_ns, sd_ns } => {
                // Resample negatives; give up after a bounded number of tries
                // (only reachable for means far below zero, rejected at resolve).
                let mut v = 0.0;
                for _ in 0..64 {
                    let z: f64 = rng.sample(StandardNormal);
                    v = mean_ns + sd_ns * z;
                    if v >= 0.0 {
                        break;
                    }
                }
                v.max(0.0)
            }
            Dist::LogNormal { mu, sigma } => {
                let z: f64 = rng.sample(StandardNormal);
                (mu + sigma * z).exp()
            }
            Dist::Gamma { gamma, .. } => gamma.sample(rng),
            Dist::Weibull { scale_ns, shape } => {
                // Inverse CDF: scale * (-ln U)^(1/k), U in (0, 1].
                let u: f64 = 1.0 - rng.random::<f64>();
                scale_ns * (-u.ln()).powf(1.0 / shape)
            }
            Dist::Empirical(v) => {
                // `resolve` guarantees a non-empty sample list.
                let i = rng.random_range(0..v.len());
                return v[i];
            }
        };
        if x.is_finite() && x > 0.0 {
            if x >= 1.8e19 {
                u64::MAX / 2
            } else {
                x as u64
            }
        } else {
            0
        }
    }

    /// The mean in nanoseconds (exact for the parametric families).
    pub fn mean_ns(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v as f64,
            Dist::Exponential { mean_ns } => *mean_ns,
            Dist::Uniform { lo_ns, hi_ns } => (lo_ns + hi_ns) / 2.0,
            Dist::Normal { mean_ns, sd_ns } => {
                // Mean of a normal truncated below at 0.
                let a = -mean_ns / sd_ns;
                let phi = (-0.5 * a * a).exp() / (2.0 * std::f64::consts::PI).sqrt();
                let big_phi = 0.5 * statrs::function::erf::erfc(a / std::f64::consts::SQRT_2);
                mean_ns + sd_ns * phi / big_phi
            }
            Dist::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Gamma { mean_ns, .. } => *mean_ns,
            Dist::Weibull { scale_ns, shape } => {
                scale_ns * statrs::function::gamma::gamma(1.0 + 1.0 / shape)
            }
            Dist::Empirical(v) => v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64,
        }
    }
}

/// Where a spec came from, for error messages and relative paths.
pub struct DistContext<'a> {
    /// Directory of the file that names the distribution.
    pub base_dir: &'a Path,
}

impl DistSpec {
    /// Checks parameters and builds a sampler. Errors say what was found and
    /// what the family needs.
    pub fn resolve(&self, ctx: &DistContext) -> Result<Dist, String> {
        let need = |name: &str, v: Option<Duration>| -> Result<f64, String> {
            v.map(|d| d.nanos() as f64).ok_or_else(|| {
                format!(
                    "dist = \"{}\" needs `{name}` (a duration such as \"20ms\")",
                    self.dist
                )
            })
        };
        let positive = |name: &str, x: f64| -> Result<f64, String> {
            if x > 0.0 {
                Ok(x)
            } else {
                Err(format!("`{name}` must be greater than zero, found 0"))
            }
        };
        let allowed: &[&str] = match self.dist.as_str() {
            "constant" => &["value"],
            "exponential" => &["mean"],
            "uniform" => &["min", "max"],
            "normal" => &["mean", "sd"],
            "lognormal" => &["mean", "sd", "median", "p99"],
            "gamma" => &["shape", "mean", "scale"],
            "weibull" => &["shape", "scale", "mean"],
            "empirical" => &["file", "column", "unit"],
            other => {
                return Err(format!(
                    "found dist = \"{other}\", expected one of constant, exponential, uniform, normal, lognormal, gamma, weibull, empirical"
                ))
            }
        };
        for (name, present) in self.present_fields() {
            if present && !allowed.contains(&name) {
                return Err(format!(
                    "`{name}` does not apply to dist = \"{}\" (it takes {})",
                    self.dist,
                    allowed.join(", ")
                ));
            }
        }
        Ok(match self.dist.as_str() {
            "constant" => Dist::Constant(need("value", self.value)? as u64),
            "exponential" => Dist::Exponential {
                mean_ns: positive("mean", need("mean", self.mean)?)?,
            },
            "uniform" => {
                let lo = need("min", self.min)?;
                let hi = need("max", self.max)?;
                if hi < lo {
                    return Err(format!("`max` ({hi} ns) is below `min` ({lo} ns)"));
                }
                Dist::Uniform {
                    lo_ns: lo,
                    hi_ns: hi,
                }
            }
            "normal" => {
                let mean = need("mean", self.mean)?;
                let sd = positive("sd", need("sd", self.sd)?)?;
                if mean < -3.0 * sd {
                    return Err("the normal's mean is so far below zero that almost every draw would be truncated".into());
                }
                Dist::Normal {
                    mean_ns: mean,
                    sd_ns: sd,
                }
            }
            "lognormal" => {
                match (self.mean, self.sd, self.median, self.p99) {
                    (Some(m), Some(s), None, None) => {
                        let m = positive("mean", m.nanos() as f64)?;
                        let s = s.nanos() as f64;
                        let sigma2 = (1.0 + (s * s) / (m * m)).ln();
                        Dist::LogNormal {
                            mu: m.ln() - sigma2 / 2.0,
                            sigma: sigma2.sqrt(),
                        }
                    }
                    (None, None, Some(med), Some(p99)) => {
                        let med = positive("median", med.nanos() as f64)?;
                        let p99 = p99.nanos() as f64;
                        if p99 < med {
                            return Err("`p99` must be at least `median`".into());
                        }
                        Dist::LogNormal {
                            mu: med.ln(),
                            sigma: (p99.ln() - med.ln()) / Z99,
                        }
                    }
                    _ => return Err(
                        "dist = \"lognormal\" takes either `mean` and `sd`, or `median` and `p99`"
                            .into(),
                    ),
                }
            }
            "gamma" => {
                let k = self
                    .shape
                    .ok_or("dist = \"gamma\" needs `shape` (a number > 0)")?;
                if !(k > 0.0 && k.is_finite()) {
                    return Err(format!("`shape` must be a number > 0, found {k}"));
                }
                let scale = match (self.mean, self.scale) {
                    (Some(m), None) => positive("mean", m.nanos() as f64)? / k,
                    (None, Some(s)) => positive("scale", s.nanos() as f64)?,
                    _ => {
                        return Err(
                            "dist = \"gamma\" takes `shape` and one of `mean` or `scale`".into(),
                        )
                    }
                };
                Dist::Gamma {
                    gamma: Gamma::new(k, scale).map_err(|e| e.to_string())?,
                    mean_ns: k * scale,
                }
            }
            "weibull" => {
                let k = self
                    .shape
                    .ok_or("dist = \"weibull\" needs `shape` (a number > 0)")?;
                if !(k > 0.0 && k.is_finite()) {
                    return Err(format!("`shape` must be a number > 0, found {k}"));
                }
                let scale = match (self.mean, self.scale) {
                    (None, Some(s)) => positive("scale", s.nanos() as f64)?,
                    (Some(m), None) => {
                        positive("mean", m.nanos() as f64)?
                            / statrs::function::gamma::gamma(1.0 + 1.0 / k)
                    }
                    _ => {
                        return Err(
                            "dist = \"weibull\" takes `shape` and one of `scale` or `mean`".into(),
                        )
                    }
                };
                Dist::Weibull {
                    scale_ns: scale,
                    shape: k,
                }
            }
            "empirical" => Dist::Empirical(self.load_empirical(ctx)?),
            _ => unreachable!("family checked above"),
        })
    }

    fn present_fields(&self) -> [(&'static str, bool); 11] {
        [
            ("value", self.value.is_some()),
            ("mean", self.mean.is_some()),
            ("sd", self.sd.is_some()),
            ("median", self.median.is_some()),
            ("p99", self.p99.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("shape", self.shape.is_some()),
            ("scale", self.scale.is_some()),
            ("file", self.file.is_some()),
            ("column", self.column.is_some() || self.unit.is_some()),
        ]
    }

    fn load_empirical(&self, ctx: &DistContext) -> Result<Vec<u64>, String> {
        let file = self
            .file
            .as_ref()
            .ok_or("dist = \"empirical\" needs `file` (a CSV of samples)")?;
        let scale = match self.unit.as_deref().unwrap_or("ms") {
            "ns" => 1.0,
            "us" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            other => {
                return Err(format!(
                    "found unit = \"{other}\", expected ns, us, ms or s"
                ))
            }
        };
        let path = ctx.base_dir.join(file);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(&path)
            .map_err(|e| format!("cannot read samples from {}: {e}", path.display()))?;
        let headers = rdr
            .headers()
            .map_err(|e| format!("{}: {e}", path.display()))?
            .clone();
        let col = match &self.column {
            Some(c) => headers.iter().position(|h| h.trim() == c).ok_or_else(|| {
                format!(
                    "{}: no column named \"{c}\", found columns {:?}",
                    path.display(),
                    headers.iter().collect::<Vec<_>>()
                )
            })?,
            None => 0,
        };
        let mut out = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
            let line = i + 2;
            let cell = rec.get(col).unwrap_or("").trim();
            let v: f64 = cell.parse().map_err(|_| {
                format!(
                    "{}:{line}: found \"{cell}\" in column {}, expected a number of {}",
                    path.display(),
                    col + 1,
                    self.unit.as_deref().unwrap_or("ms")
                )
            })?;
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!(
                    "{}:{line}: found {v}, expected a sample of zero or more",
                    path.display()
                ));
            }
            out.push((v * scale).round() as u64);
        }
        if out.is_empty() {
            return Err(format!("{}: no samples found", path.display()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::units::parse_duration;
    use capsim_des::RngStreams;

    fn d(s: &str) -> Option<Duration> {
        Some(parse_duration(s).unwrap())
    }

    fn ctx() -> DistContext<'static> {
        DistContext {
            base_dir: Path::new("."),
        }
    }

    fn sample_mean(dist: &Dist, n: usize) -> f64 {
        let mut rng = RngStreams::new(7, 0).stream("t");
        (0..n).map(|_| dist.sample(&mut rng) as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn families_have_the_documented_means() {
        let specs = [
            DistSpec {
                dist: "exponential".into(),
                mean: d("20ms"),
                ..Default::default()
            },
            DistSpec {
                dist: "uniform".into(),
                min: d("10ms"),
                max: d("30ms"),
                ..Default::default()
            },
            DistSpec {
                dist: "gamma".into(),
                shape: Some(2.0),
                mean: d("20ms"),
                ..Default::default()
            },
            DistSpec {
                dist: "weibull".into(),
                shape: Some(1.5),
                mean: d("20ms"),
                ..Default::default()
            },
            DistSpec {
                dist: "lognormal".into(),
                mean: d("20ms"),
                sd: d("10ms"),
                ..Default::default()
            },
        ];
        for s in specs {
            let dist = s.resolve(&ctx()).unwrap();
            assert!(
                (dist.mean_ns() - 20e6).abs() / 20e6 < 1e-3,
                "{} mean {}",
                s.dist,
                dist.mean_ns()
            );
            // 200k draws: the relative standard error of the mean is at most
            // cv/sqrt(n) = 1/447 for these families (cv <= 1); allow 4 sigma.
            let m = sample_mean(&dist, 200_000);
            assert!(
                (m - 20e6).abs() / 20e6 < 4.0 / 447.0,
                "{} sample mean {m}",
                s.dist
            );
        }
    }

    #[test]
    fn lognormal_by_median_and_p99() {
        let s = DistSpec {
            dist: "lognormal".into(),
            median: d("100ms"),
            p99: d("1s"),
            ..Default::default()
        };
        let dist = s.resolve(&ctx()).unwrap();
        let mut rng = RngStreams::new(1, 0).stream("t");
        let mut v: Vec<u64> = (0..100_000).map(|_| dist.sample(&mut rng)).collect();
        v.sort_unstable();
        let med = v[50_000] as f64;
        let p99 = v[99_000] as f64;
        assert!((med / 100e6 - 1.0).abs() < 0.03, "median {med}");
        assert!((p99 / 1e9 - 1.0).abs() < 0.08, "p99 {p99}");
    }

    #[test]
    fn truncated_normal_never_negative() {
        let s = DistSpec {
            dist: "normal".into(),
            mean: d("1ms"),
            sd: d("2ms"),
            ..Default::default()
        };
        let dist = s.resolve(&ctx()).unwrap();
        let m = sample_mean(&dist, 100_000);
        assert!((m - dist.mean_ns()).abs() / dist.mean_ns() < 0.02);
    }

    #[test]
    fn bad_specs_say_what_is_expected() {
        let e = DistSpec {
            dist: "poisson".into(),
            ..Default::default()
        }
        .resolve(&ctx())
        .unwrap_err();
        assert!(e.contains("expected one of constant"), "{e}");
        let e = DistSpec {
            dist: "exponential".into(),
            ..Default::default()
        }
        .resolve(&ctx())
        .unwrap_err();
        assert!(e.contains("needs `mean`"), "{e}");
        let e = DistSpec {
            dist: "exponential".into(),
            mean: d("1ms"),
            sd: d("1ms"),
            ..Default::default()
        }
        .resolve(&ctx())
        .unwrap_err();
        assert!(e.contains("does not apply"), "{e}");
        let e = DistSpec {
            dist: "exponential".into(),
            mean: d("0ms"),
            ..Default::default()
        }
        .resolve(&ctx())
        .unwrap_err();
        assert!(e.contains("greater than zero"), "{e}");
    }
}
