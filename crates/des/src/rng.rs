//! Named random streams.
//!
//! Every source of randomness in a run is a *stream* with a stable name such
//! as `"arrivals"` or `"api.service_time"`. Its seed is derived from the run's
//! master seed, the replication index and the name:
//!
//! ```text
//! name_hash   = FNV-1a-64(name bytes)
//! stream_seed = splitmix64(splitmix64(seed ^ splitmix64(replication)) ^ name_hash)
//! ```
//!
//! and the generator is Xoshiro256++ seeded with `seed_from_u64(stream_seed)`
//! (which expands the 64-bit seed with SplitMix64, as `rand_xoshiro`
//! documents). Consequences that capsim relies on:
//!
//! * adding a component adds streams but changes no other stream's draws;
//! * two variants of a model see the same arrivals (common random numbers);
//! * nothing depends on thread count, memory layout or hash-map order.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream: small, fast, and specified exactly.
pub type StreamRng = Xoshiro256PlusPlus;

/// SplitMix64 finaliser: a bijective 64-bit mixer (Steele et al., 2014).
#[inline]
pub const fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, 64-bit: a stable hash of a stream name (stable across Rust
/// versions, unlike `std`'s `DefaultHasher`).
pub const fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// The documented seed of stream `name` in replication `replication` of a
/// run with master seed `seed`.
pub fn stream_seed(seed: u64, replication: u64, name: &str) -> u64 {
    let run = splitmix64(seed ^ splitmix64(replication));
    splitmix64(run ^ fnv1a64(name.as_bytes()))
}

/// Hands out named streams for one replication of one run.
#[derive(Clone, Debug)]
pub struct RngStreams {
    seed: u64,
    replication: u64,
}

impl RngStreams {
    pub fn new(seed: u64, replication: u64) -> Self {
        RngStreams { seed, replication }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn replication(&self) -> u64 {
        self.replication
    }

    /// A fresh generator for stream `name`. Asking twice for the same name
    /// gives two generators with identical draws, so each stream should be
    /// created once and owned by the component that draws from it.
    pub fn stream(&self, name: &str) -> StreamRng {
        StreamRng::seed_from_u64(stream_seed(self.seed, self.replication, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::RngCore;

    #[test]
    fn same_name_same_draws_different_name_different_draws() {
        let s = RngStreams::new(42, 0);
        let mut a = s.stream("arrivals");
        let mut b = s.stream("arrivals");
        let mut c = s.stream("api.service_time");
        let xa: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn replications_and_seeds_separate_streams() {
        let a = stream_seed(1, 0, "x");
        assert_ne!(a, stream_seed(1, 1, "x"));
        assert_ne!(a, stream_seed(2, 0, "x"));
        // Pinned value: changing the mixing function silently would change
        // every published result, so it must be a deliberate, visible edit.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
