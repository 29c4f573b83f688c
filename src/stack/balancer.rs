//! Load-balancer policies with nginx's upstream semantics
//! (`docs/references.md` §4; nginx `src/http/ngx_http_upstream_round_robin.c` and
//! the `ngx_http_upstream_{least_conn,ip_hash,random}_module.c` modules,
//! <https://nginx.org/en/docs/http/ngx_http_upstream_module.html>).
//!
//! A [`Balancer`] is a decision object: it sees peer states and returns the
//! index of the replica to try. The service turns that into events. Peer
//! state (`current_weight`, `effective_weight`, `fails`, `checked`, ...) is
//! kept exactly as nginx keeps it, so round-robin order, the weight recovery
//! after failures, and `max_fails`/`fail_timeout` windows match the real
//! server. capsim models a single nginx worker (or a shared `zone`).

use crate::input::model::{BalancePolicy, BalancerConfig};
use capsim_des::StreamRng;
use rand::Rng;

/// nginx's per-peer state.
#[derive(Clone, Debug)]
pub struct Peer {
    /// The replica of the service this peer is (its index in the service's
    /// replica list; peers are kept in increasing replica order).
    pub replica: u32,
    pub weight: i64,
    pub effective_weight: i64,
    pub current_weight: i64,
    /// Requests sent to this peer and not yet answered.
    pub conns: u32,
    pub fails: u32,
    pub accessed_ns: u64,
    pub checked_ns: u64,
    /// Ready and not draining: the peer may receive new requests.
    pub up: bool,
}

impl Peer {
    pub fn new(replica: u32, weight: u32) -> Self {
        let w = weight.max(1) as i64;
        Peer {
            replica,
            weight: w,
            effective_weight: w,
            current_weight: 0,
            conns: 0,
            fails: 0,
            accessed_ns: 0,
            checked_ns: 0,
            up: true,
        }
    }
}

/// The upstream group of one service. Its members are the service's
/// replicas that have not stopped (starting and draining ones are members but
/// not `up`); a stopped replica leaves the group, as a terminated pod leaves
/// the Service's endpoints, so picking costs O(live replicas), not
/// O(replicas ever created). Every method takes and returns replica indices.
#[derive(Clone, Debug)]
pub struct Balancer {
    pub policy: BalancePolicy,
    max_fails: u32,
    fail_timeout_ns: u64,
    pub tries: u32,
    /// Members in increasing `replica` order (the configuration order nginx
    /// breaks ties by).
    pub peers: Vec<Peer>,
}

/// How many re-picks ip_hash and random make before falling back to round
/// robin, as in nginx.
const MAX_REPICKS: u32 = 20;

impl Balancer {
    pub fn new(cfg: &BalancerConfig, replicas: u32) -> Self {
        let mut b = Balancer {
            policy: cfg.policy,
            max_fails: cfg.max_fails,
            fail_timeout_ns: cfg.fail_timeout_ns,
            tries: cfg.tries,
            peers: Vec::new(),
        };
        for i in 0..replicas {
            b.peers.push(Peer::new(
                i,
                cfg.weights.get(i as usize).copied().unwrap_or(1),
            ));
        }
        b
    }

    /// Adds replica `replica` (newer than every member) with the given
    /// weight, not yet `up`.
    pub fn add_peer(&mut self, replica: u32, weight: u32) {
        debug_assert!(
            self.peers.last().map_or(true, |p| p.replica < replica),
            "replicas join in creation order"
        );
        let mut p = Peer::new(replica, weight);
        p.up = false;
        self.peers.push(p);
    }

    /// Where replica `replica` is among the members.
    #[inline]
    fn slot(&self, replica: usize) -> Option<usize> {
        self.peers
            .binary_search_by_key(&(replica as u32), |p| p.replica)
            .ok()
    }

    /// The member for replica `replica`; `None` once it has stopped.
    #[inline]
    pub fn peer_mut(&mut self, replica: usize) -> Option<&mut Peer> {
        let i = self.slot(replica)?;
        Some(&mut self.peers[i])
    }

    /// Whether replica `replica` may receive new requests.
    pub fn set_up(&mut self, replica: usize, up: bool) {
        if let Some(p) = self.peer_mut(replica) {
            p.up = up;
        }
    }

    /// A request was sent to replica `replica`.
    #[inline]
    pub fn connect(&mut self, replica: usize) {
        if let Some(p) = self.peer_mut(replica) {
            p.conns += 1;
        }
    }

    /// A request sent to replica `replica` is answered or abandoned.
    #[inline]
    pub fn disconnect(&mut self, replica: usize) {
        if let Some(p) = self.peer_mut(replica) {
            p.conns = p.conns.saturating_sub(1);
        }
    }

    /// Replica `replica` stopped: it leaves the group.
    pub fn remove_peer(&mut self, replica: usize) {
        if let Some(i) = self.slot(replica) {
            self.peers.remove(i);
        }
    }

    /// Members of the group (replicas not stopped).
    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// nginx's availability test; a group of one ignores `max_fails`.
    #[inline]
    fn available(&self, i: usize, now: u64) -> bool {
        let p = &self.peers[i];
        if !p.up {
            return false;
        }
        if self.peers.len() == 1 || self.max_fails == 0 {
            return true;
        }
        !(p.fails >= self.max_fails && now.saturating_sub(p.checked_ns) <= self.fail_timeout_ns)
    }

    #[inline]
    fn eligible(&self, i: usize, now: u64, tried: &[u32]) -> bool {
        self.available(i, now) && !tried.contains(&self.peers[i].replica)
    }

    /// Chooses a replica for a request from `client`, skipping `tried`
    /// replicas. `None` means no live upstream.
    pub fn pick(
        &mut self,
        now: u64,
        rng: &mut StreamRng,
        client: u32,
        tried: &[u32],
    ) -> Option<usize> {
        self.pick_slot(now, rng, client, tried)
            .map(|i| self.peers[i].replica as usize)
    }

    /// [`Self::pick`] as an index into `peers`.
    fn pick_slot(
        &mut self,
        now: u64,
        rng: &mut StreamRng,
        client: u32,
        tried: &[u32],
    ) -> Option<usize> {
        let n = self.peers.len();
        if n == 0 {
            return None;
        }
        if n == 1 {
            return if self.eligible(0, now, tried) {
                self.mark_picked(0, now);
                Some(0)
            } else {
                None
            };
        }
        let chosen = match self.policy {
            BalancePolicy::RoundRobin => self.smooth_wrr(now, tried, None),
            BalancePolicy::LeastConn => self.least_conn(now, tried),
            BalancePolicy::Random => self.weighted_random(now, rng, tried),
            BalancePolicy::PowerOfTwo => self.power_of_two(now, rng, tried),
            BalancePolicy::IpHash => self.ip_hash(now, client, tried),
        };
        if let Some(i) = chosen {
            self.mark_picked(i, now);
        }
        chosen
    }

    /// When a peer is chosen after its `fail_timeout` has passed, nginx moves
    /// `checked` forward; a later success then clears the failure count.
    #[inline]
    fn mark_picked(&mut self, i: usize, now: u64) {
        let p = &mut self.peers[i];
        if now.saturating_sub(p.checked_ns) > self.fail_timeout_ns {
            p.checked_ns = now;
        }
    }

    /// nginx smooth weighted round robin among eligible peers; with
    /// `same_load = Some((conns, weight))` only among peers whose
    /// `conns / weight` equals that ratio (least_conn's tie-break). The first
    /// peer wins ties, in configuration order.
    fn smooth_wrr(
        &mut self,
        now: u64,
        tried: &[u32],
        same_load: Option<(i64, i64)>,
    ) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut total: i64 = 0;
        for i in 0..self.peers.len() {
            if let Some((c, w)) = same_load {
                let p = &self.peers[i];
                if p.conns as i64 * w != c * p.weight {
                    continue;
                }
            }
            if !self.eligible(i, now, tried) {
                continue;
            }
            let p = &mut self.peers[i];
            p.current_weight += p.effective_weight;
            total += p.effective_weight;
            if p.effective_weight < p.weight {
                p.effective_weight += 1;
            }
            match best {
                Some(b) if self.peers[b].current_weight >= self.peers[i].current_weight => {}
                _ => best = Some(i),
            }
        }
        if let Some(b) = best {
            self.peers[b].current_weight -= total;
        }
        best
    }

    /// Fewest `conns / weight`, compared as `conns_a * w_b < conns_b * w_a`;
    /// ties go through smooth WRR among the tied peers.
    fn least_conn(&mut self, now: u64, tried: &[u32]) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut ties = 0;
        for i in 0..self.peers.len() {
            if !self.eligible(i, now, tried) {
                continue;
            }
            match best {
                None => {
                    best = Some(i);
                    ties = 1;
                }
                Some(b) => {
                    let (pb, pi) = (&self.peers[b], &self.peers[i]);
                    let lhs = pi.conns as i64 * pb.weight;
                    let rhs = pb.conns as i64 * pi.weight;
                    if lhs < rhs {
                        best = Some(i);
                        ties = 1;
                    } else if lhs == rhs {
                        ties += 1;
                    }
                }
            }
        }
        let b = best?;
        if ties == 1 {
            return Some(b);
        }
        let (bc, bw) = (self.peers[b].conns as i64, self.peers[b].weight);
        self.smooth_wrr(now, tried, Some((bc, bw)))
    }

    fn weighted_random(&mut self, now: u64, rng: &mut StreamRng, tried: &[u32]) -> Option<usize> {
        self.random_among(now, rng, tried, None)
    }

    fn random_among(
        &self,
        now: u64,
        rng: &mut StreamRng,
        tried: &[u32],
        exclude: Option<usize>,
    ) -> Option<usize> {
        let total: i64 = (0..self.peers.len())
            .filter(|&i| Some(i) != exclude && self.eligible(i, now, tried))
            .map(|i| self.peers[i].weight)
            .sum();
        if total <= 0 {
            return None;
        }
        let mut x = rng.random_range(0..total);
        for i in 0..self.peers.len() {
            if Some(i) == exclude || !self.eligible(i, now, tried) {
                continue;
            }
            x -= self.peers[i].weight;
            if x < 0 {
                return Some(i);
            }
        }
        None
    }

    /// nginx `random two least_conn`: two distinct weighted picks, keep the
    /// lower `conns / weight`; a tie goes to the second pick.
    fn power_of_two(&mut self, now: u64, rng: &mut StreamRng, tried: &[u32]) -> Option<usize> {
        let a = self.random_among(now, rng, tried, None)?;
        let Some(b) = self.random_among(now, rng, tried, Some(a)) else {
            return Some(a);
        };
        let (pa, pb) = (&self.peers[a], &self.peers[b]);
        if (pa.conns as i64) * pb.weight < (pb.conns as i64) * pa.weight {
            Some(a)
        } else {
            Some(b)
        }
    }

    /// nginx ip_hash over the first three octets of the client's IPv4
    /// address; rehash on an unavailable peer, round robin after 20 tries.
    fn ip_hash(&mut self, now: u64, client: u32, tried: &[u32]) -> Option<usize> {
        let addr = client_address(client);
        let total: i64 = self.peers.iter().map(|p| p.weight).sum();
        let mut hash: u32 = 89;
        for _ in 0..MAX_REPICKS {
            for &octet in &addr[..3] {
                hash = (hash * 113 + octet as u32) % 6271;
            }
            let mut w = (hash as i64) % total.max(1);
            let mut i = 0;
            while w >= self.peers[i].weight {
                w -= self.peers[i].weight;
                i += 1;
            }
            if self.eligible(i, now, tried) {
                return Some(i);
            }
        }
        self.smooth_wrr(now, tried, None)
    }

    /// A failed attempt (connection refused, timeout) on replica `replica`:
    /// nginx failure accounting, which may take the peer out for
    /// `fail_timeout`.
    pub fn on_failure(&mut self, replica: usize, now: u64) {
        let max_fails = self.max_fails;
        let Some(p) = self.peer_mut(replica) else {
            return;
        };
        p.fails += 1;
        p.accessed_ns = now;
        p.checked_ns = now;
        if max_fails > 0 {
            p.effective_weight -= p.weight / max_fails as i64;
            if p.effective_weight < 0 {
                p.effective_weight = 0;
            }
        }
    }

    /// A successful response: clears the failure count only once the peer
    /// has been re-checked after its `fail_timeout` (nginx semantics).
    pub fn on_success(&mut self, replica: usize) {
        if let Some(p) = self.peer_mut(replica) {
            if p.accessed_ns < p.checked_ns {
                p.fails = 0;
            }
        }
    }

    /// Whether any peer could take a request now.
    pub fn any_available(&self, now: u64) -> bool {
        (0..self.peers.len()).any(|i| self.available(i, now))
    }
}

/// A stable, well-spread IPv4 address for client `id` (real client
/// addresses differ in their first three octets, which ip_hash reads).
pub fn client_address(id: u32) -> [u8; 4] {
    let h = capsim_des::rng::splitmix64(id as u64 ^ 0x1b87_3593);
    let b = h.to_le_bytes();
    [b[0], b[1], b[2], b[3]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use capsim_des::RngStreams;

    fn cfg(policy: BalancePolicy, weights: Vec<u32>) -> BalancerConfig {
        BalancerConfig {
            policy,
            max_fails: 1,
            fail_timeout_ns: 10_000_000_000,
            weights,
            tries: 0,
        }
    }

    #[test]
    fn smooth_wrr_5_1_1_matches_nginx() {
        let mut b = Balancer::new(&cfg(BalancePolicy::RoundRobin, vec![5, 1, 1]), 3);
        let mut rng = RngStreams::new(1, 0).stream("b");
        let order: String = (0..7)
            .map(|_| ["a", "b", "c"][b.pick(0, &mut rng, 0, &[]).unwrap()])
            .collect();
        assert_eq!(order, "aabacaa");
    }

    #[test]
    fn least_conn_prefers_fewest_per_weight_and_breaks_ties_by_rr() {
        let mut b = Balancer::new(&cfg(BalancePolicy::LeastConn, vec![]), 3);
        let mut rng = RngStreams::new(1, 0).stream("b");
        b.peers[0].conns = 2;
        b.peers[1].conns = 1;
        b.peers[2].conns = 1;
        let first = b.pick(0, &mut rng, 0, &[]).unwrap();
        let second = b.pick(0, &mut rng, 0, &[]).unwrap();
        assert_eq!((first, second), (1, 2));
        // Weighted: 4 conns at weight 4 beats 2 conns at weight 1.
        let mut b = Balancer::new(&cfg(BalancePolicy::LeastConn, vec![4, 1]), 2);
        b.peers[0].conns = 4;
        b.peers[1].conns = 2;
        assert_eq!(b.pick(0, &mut rng, 0, &[]), Some(0));
    }

    #[test]
    fn max_fails_takes_peer_out_for_fail_timeout_then_probes() {
        let mut b = Balancer::new(&cfg(BalancePolicy::RoundRobin, vec![]), 2);
        let mut rng = RngStreams::new(1, 0).stream("b");
        b.on_failure(0, 1_000);
        for _ in 0..10 {
            assert_eq!(b.pick(5_000, &mut rng, 0, &[]), Some(1));
        }
        // After fail_timeout the peer is tried again.
        let later = 1_000 + 10_000_000_001;
        let picks: Vec<_> = (0..4)
            .map(|_| b.pick(later, &mut rng, 0, &[]).unwrap())
            .collect();
        assert!(picks.contains(&0));
        b.on_success(0);
        assert_eq!(b.peers[0].fails, 0);
    }

    #[test]
    fn single_peer_ignores_max_fails() {
        let mut b = Balancer::new(&cfg(BalancePolicy::RoundRobin, vec![]), 1);
        let mut rng = RngStreams::new(1, 0).stream("b");
        b.on_failure(0, 0);
        assert_eq!(b.pick(1, &mut rng, 0, &[]), Some(0));
    }

    #[test]
    fn ip_hash_is_sticky_and_spreads_clients() {
        let mut b = Balancer::new(&cfg(BalancePolicy::IpHash, vec![]), 4);
        let mut rng = RngStreams::new(1, 0).stream("b");
        let mut counts = [0u32; 4];
        for client in 0..4000 {
            let p = b.pick(0, &mut rng, client, &[]).unwrap();
            assert_eq!(b.pick(0, &mut rng, client, &[]), Some(p));
            counts[p] += 1;
        }
        assert!(counts.iter().all(|&c| c > 700), "{counts:?}");
    }

    #[test]
    fn stopped_replicas_leave_the_group() {
        // Replicas 0..3, then 0 and 2 stop. ip_hash must hash over the two
        // members left, exactly as a fresh group of two does (a stopped
        // replica's weight in the sum would send some clients elsewhere).
        let mut b = Balancer::new(&cfg(BalancePolicy::IpHash, vec![]), 4);
        b.remove_peer(0);
        b.remove_peer(2);
        assert_eq!(b.len(), 2);
        let mut fresh = Balancer::new(&cfg(BalancePolicy::IpHash, vec![]), 2);
        let mut rng = RngStreams::new(1, 0).stream("b");
        for client in 0..1000 {
            let got = b.pick(0, &mut rng, client, &[]).unwrap();
            let want = [1, 3][fresh.pick(0, &mut rng, client, &[]).unwrap()];
            assert_eq!(got, want, "client {client}");
        }
        // A new replica joins after the others, not up until it is ready;
        // failure accounting and connections address replicas, not slots.
        b.add_peer(4, 1);
        assert_eq!(b.pick(0, &mut rng, 7, &[1, 3]), None);
        b.set_up(4, true);
        assert_eq!(b.pick(0, &mut rng, 7, &[1, 3]), Some(4));
        b.connect(4);
        assert_eq!(b.peer_mut(4).map(|p| p.conns), Some(1));
        b.on_failure(3, 0);
        assert_eq!(b.peer_mut(3).map(|p| p.fails), Some(1));
        // Calls on a stopped replica are ignored.
        b.disconnect(0);
        b.on_failure(2, 0);
        assert!(b.peer_mut(0).is_none() && b.peer_mut(2).is_none());
    }

    #[test]
    fn no_peers_means_no_live_upstream() {
        for policy in [
            BalancePolicy::RoundRobin,
            BalancePolicy::LeastConn,
            BalancePolicy::Random,
            BalancePolicy::PowerOfTwo,
            BalancePolicy::IpHash,
        ] {
            let mut b = Balancer::new(&cfg(policy, vec![]), 0);
            let mut rng = RngStreams::new(1, 0).stream("b");
            assert_eq!(b.pick(0, &mut rng, 7, &[]), None, "{policy:?}");
        }
    }

    #[test]
    fn tried_peers_are_skipped() {
        let mut b = Balancer::new(&cfg(BalancePolicy::PowerOfTwo, vec![]), 3);
        let mut rng = RngStreams::new(1, 0).stream("b");
        for _ in 0..50 {
            let p = b.pick(0, &mut rng, 0, &[0, 2]).unwrap();
            assert_eq!(p, 1);
        }
        assert_eq!(b.pick(0, &mut rng, 0, &[0, 1, 2]), None);
    }
}
