//! capsim's autoscaling controllers as pure decision objects: an [`Observation`] in, a
//! [`Decision`] out, no knowledge of the simulator. The simulator and `capsim replay`
//! call exactly this code, so a policy behaves the same in both.
//!
//! - [`hpa`]: Kubernetes HPA `autoscaling/v2` (legacy and `behavior` paths).
//! - [`target_tracking`], [`step`]: AWS Application/EC2 Auto Scaling policies.
//! - [`threshold`]: "cpu > 70 % for 2 min → +1" rules (Azure-like engine).
//! - [`schedule`]: time-of-day changes of `[min, max]`.
//! - [`config`], [`k8s`]: capsim TOML policies and Kubernetes manifests → [`Policy`].
//! - [`replay`]: run a policy over a demand CSV.
//!
//! Time is integer nanoseconds (`u64`) everywhere. See `README.md` for the TOML format
//! and `NOTES.md` for where the code follows the Kubernetes source over the docs.

mod cloud;
pub mod config;
pub mod controller;
pub mod duration;
pub mod error;
pub mod hpa;
pub mod k8s;
pub mod observe;
pub mod policy;
pub mod quantity;
pub mod replay;
pub mod schedule;
pub mod step;
pub mod target_tracking;
pub mod threshold;

pub use config::{load_policy_file, parse_policy_toml, PolicyConfig};
pub use controller::Controller;
pub use error::Error;
pub use observe::{Decision, Observation, PodPhase, PodSample};
pub use policy::{Policy, PolicyKind};
