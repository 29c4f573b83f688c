#!/usr/bin/env python3
"""The M/M/c queue of models/examples/mmc.toml in SimPy, for a speed
comparison with capsim (see benches/compare_simpy.sh).

Poisson arrivals at RATE/s, C servers, exponential service of mean
MEAN_SERVICE seconds, FIFO queue: by default c = 8, 10 ms, 640/s (rho = 0.8),
as in the capsim example. The SimPy model is the idiomatic one from SimPy's
own examples: a source process that spawns one process per customer, which
requests a `simpy.Resource`, holds it for its service time and releases it.
It records what capsim's summary needs for a mean (wait and response time
sums), which is less bookkeeping than capsim does per request (histograms
of latency and wait, per-interval series).

Only `env.run()` is timed. Prints one line of `key=value` pairs, e.g.

    customers=1000000 sim_s=0.000 wall_s=9.81 customers_per_s=101936 ...

Usage: simpy_mmc.py CUSTOMERS [--servers 8] [--rate 640] [--mean-service 0.010] [--seed 42]
"""

import argparse
import math
import random
import sys
import time

import simpy


def erlang_c(c, a):
    """Probability of waiting in an M/M/c queue with offered load a < c."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("customers", type=int, help="customers to simulate")
    p.add_argument("--servers", type=int, default=8)
    p.add_argument("--rate", type=float, default=640.0, help="arrivals per second")
    p.add_argument("--mean-service", type=float, default=0.010, help="seconds")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()

    rng = random.Random(args.seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=args.servers)
    mu = 1.0 / args.mean_service
    stats = {"done": 0, "wait": 0.0, "response": 0.0}

    def customer(env):
        arrived = env.now
        with server.request() as req:
            yield req
            started = env.now
            yield env.timeout(rng.expovariate(mu))
        stats["done"] += 1
        stats["wait"] += started - arrived
        stats["response"] += env.now - arrived

    def source(env):
        for _ in range(args.customers):
            yield env.timeout(rng.expovariate(args.rate))
            env.process(customer(env))

    env.process(source(env))
    start = time.perf_counter()
    env.run()  # until the last customer leaves
    wall = time.perf_counter() - start

    done = stats["done"]
    a = args.rate * args.mean_service
    wq = erlang_c(args.servers, a) / (args.servers * mu - args.rate)
    print(
        f"customers={done} sim_s={env.now:.1f} wall_s={wall:.3f} "
        f"customers_per_s={done / wall:.0f} "
        f"mean_wait_ms={1e3 * stats['wait'] / done:.4f} "
        f"mean_response_ms={1e3 * stats['response'] / done:.4f} "
        f"erlang_c_wait_ms={1e3 * wq:.4f} simpy={simpy.__version__} "
        f"python={sys.version.split()[0]}"
    )
    if not math.isfinite(wall) or done != args.customers:
        sys.exit(1)


if __name__ == "__main__":
    main()
