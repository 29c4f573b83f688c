#!/usr/bin/env python3
"""Regenerate pricing/catalog.csv from the research table (a CSV kept outside this repository).

Usage:
    python3 pricing/generate.py REFERENCE_CSV [--check]

REFERENCE_CSV has the columns provider, product, sku, vcpu, memory_gib, price, unit,
region, source_url, verified (the catalog's columns without the ones added here).
With --check the script writes nothing and exits 1 if catalog.csv differs from what it
would generate (use it after editing the reference table or this script).

The script keeps every reference row and its source URL, and adds what the simulator
needs: a stable `id`, a normalised `unit`, the billing `granularity` and `minimum_s`,
and `month_hours` (730 unless the provider defines its own month). The rules below
come from the providers' published billing granularity (listed in pricing/README.md,
"Billing rules"); where a provider publishes none the row is billed `prorated` (exact to the nanosecond), a neutral
choice documented in pricing/README.md.
"""

import csv
import io
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(HERE, "catalog.csv")

COLUMNS = [
    "id", "provider", "product", "sku", "vcpu", "memory_gib", "price", "unit",
    "unit_label", "granularity", "minimum_s", "month_hours", "region", "source_url",
    "verified",
]

PROVIDER_SLUG = {
    "AWS": "aws", "GCP": "gcp", "Azure": "azure", "Fly.io": "fly", "Render": "render",
    "Railway": "railway", "Cloudflare": "cloudflare", "Upstash": "upstash",
    "Datadog": "datadog", "Vercel": "vercel", "Redis Cloud": "rediscloud",
    "MongoDB Atlas": "atlas", "Supabase": "supabase",
}

# (provider, product) -> product part of the id.
PRODUCT_SLUG = {
    ("Railway", "Service compute (usage-based, per replica)"): "compute",
    ("Railway", "Network egress"): "egress",
    ("Railway", "Volume storage"): "volume",
    ("Railway", "Plan subscription"): "plan",
    ("Render", "Web service instance"): "web",
    ("Render", "Workflows task-run compute"): "workflows",
    ("Render", "Outbound bandwidth (plans from 2026-04-23)"): "bandwidth",
    ("Render", "Outbound bandwidth (Aug-2025 model)"): "bandwidth-2025",
    ("Render", "Workspace plan (2026)"): "workspace",
    ("Render", "Workspace plan (legacy)"): "workspace-legacy",
    ("Fly.io", "Machine (started)"): "machine",
    ("Fly.io", "Machine additional RAM"): "machine",
    ("Fly.io", "Machine (stopped/suspended)"): "machine-stopped",
    ("Fly.io", "Volume"): "volume",
    ("Fly.io", "Volume snapshots"): "volume-snapshot",
    ("Fly.io", "Dedicated IPv4"): "ipv4",
    ("Fly.io", "Static egress IP"): "static-egress-ip",
    ("Fly.io", "Egress to internet"): "egress",
    ("Fly.io", "Private network cross-region"): "private-egress",
    ("Fly.io", "Managed Postgres"): "postgres",
    ("Fly.io", "Fly Kubernetes (FKS)"): "fks",
    ("Cloudflare", "CDN / application plan"): "cdn",
    ("Cloudflare", "CDN bandwidth"): "cdn",
    ("Cloudflare", "Workers Paid plan"): "workers",
    ("Cloudflare", "Workers / Pages Functions (Standard)"): "workers",
    ("Cloudflare", "Workers Free plan"): "workers-free",
    ("Cloudflare", "Pages"): "pages",
    ("Cloudflare", "R2"): "r2",
    ("AWS", "EC2 On-Demand (Linux, shared tenancy)"): "ec2",
    ("AWS", "EKS control plane"): "eks",
    ("AWS", "ECS orchestration"): "ecs",
    ("AWS", "ECS Fargate (Linux/x86)"): "fargate.x86",
    ("AWS", "ECS Fargate (Linux/ARM)"): "fargate.arm",
    ("AWS", "ECS Fargate"): "fargate",
    ("AWS", "Application Load Balancer"): "alb",
    ("AWS", "NAT Gateway"): "nat",
    ("AWS", "Public IPv4 address"): "ipv4",
    ("AWS", "Data transfer out to internet"): "egress",
    ("AWS", "Data transfer cross-AZ"): "cross-az",
    ("AWS", "RDS for PostgreSQL (Single-AZ)"): "rds",
    ("AWS", "RDS for PostgreSQL (Multi-AZ)"): "rds.multi-az",
    ("AWS", "RDS storage"): "rds.storage",
    ("AWS", "RDS backup storage"): "rds.backup",
    ("AWS", "ElastiCache Serverless (Redis OSS)"): "elasticache.serverless-redis",
    ("AWS", "ElastiCache Serverless (Valkey)"): "elasticache.serverless-valkey",
    ("AWS", "ElastiCache node (Redis OSS, on-demand)"): "elasticache",
    ("AWS", "CloudFront pay-as-you-go"): "cloudfront",
    ("AWS", "CloudFront flat-rate plan"): "cloudfront.plan",
    ("GCP", "GKE cluster management fee"): "gke",
    ("GCP", "GKE free tier"): "gke.free-tier",
    ("GCP", "GKE Enterprise edition"): "gke.enterprise",
    ("GCP", "GKE Autopilot (general-purpose pods)"): "gke.autopilot",
    ("GCP", "Compute Engine (GKE Standard node)"): "gce",
    ("GCP", "Network egress (Premium tier)"): "egress",
    ("Azure", "AKS control plane"): "aks",
    ("Azure", "Virtual Machines (AKS node), Linux PAYG"): "vm",
    ("Azure", "Database for PostgreSQL Flexible Server"): "postgres",
    ("Azure", "Load Balancer"): "lb",
    ("Azure", "Front Door"): "frontdoor",
    ("Azure", "Service Bus"): "servicebus",
    ("Azure", "Application Insights (workspace-based / Log Analytics)"): "appinsights",
    ("Azure", "Bandwidth"): "bandwidth",
    ("MongoDB Atlas", "Dedicated cluster (3-node replica set)"): "dedicated",
    ("MongoDB Atlas", "Flex cluster"): "flex",
    ("Upstash", "Redis Pay-As-You-Go"): "redis.payg",
    ("Upstash", "Redis Fixed plan"): "redis.fixed",
    ("Upstash", "Redis Prod Pack add-on"): "redis.prod-pack",
    ("Redis Cloud", "Essentials (free)"): "essentials",
    ("Redis Cloud", "Essentials (paid)"): "essentials",
    ("Redis Cloud", "Pro"): "pro",
    ("Supabase", "Plan"): "plan",
    ("Supabase", "Compute add-on (per project / per read replica)"): "compute",
    ("Supabase", "Disk (gp3)"): "disk",
    ("Supabase", "Egress"): "egress",
    ("Vercel", "Plan"): "plan",
    ("Vercel", "Fluid compute"): "fluid",
    ("Vercel", "Functions"): "functions",
    ("Vercel", "CDN"): "cdn",
    ("Datadog", "Infrastructure Monitoring"): "infra",
    ("Datadog", "APM"): "apm",
    ("Datadog", "Containers"): "containers",
    ("Datadog", "Log Management"): "logs",
    ("Datadog", "Custom metrics"): "custom-metrics",
}

# (provider, product, sku) -> sku part of the id, where slugifying the name would be
# long or ambiguous.
SKU_SLUG = {
    ("Railway", "Network egress", "public egress"): "public",
    ("Render", "Outbound bandwidth (Aug-2025 model)", "overage block"): "overage-block",
    ("Fly.io", "Machine additional RAM", "extra RAM"): "extra-ram",
    ("Fly.io", "Egress to internet", "North America & Europe"): "na-eu",
    ("Fly.io", "Egress to internet", "Asia Pacific, Oceania, South America"): "apac-oc-sa",
    ("Fly.io", "Egress to internet", "Africa & India"): "africa-india",
    ("Fly.io", "Private network cross-region", "North America & Europe"): "na-eu",
    ("Fly.io", "Managed Postgres", "Basic plan"): "basic",
    ("Cloudflare", "CDN / application plan", "Pro (annual billing)"): "pro-annual",
    ("Cloudflare", "CDN / application plan", "Pro (monthly billing)"): "pro-monthly",
    ("Cloudflare", "CDN / application plan", "Business (annual billing)"): "business-annual",
    ("Cloudflare", "CDN / application plan", "Business (monthly billing)"): "business-monthly",
    ("Cloudflare", "CDN bandwidth", "Free/Pro/Business"): "bandwidth",
    ("Cloudflare", "Workers Paid plan", "base subscription"): "paid-plan",
    ("Cloudflare", "Workers / Pages Functions (Standard)", "requests beyond 10M/month"): "requests",
    ("Cloudflare", "Workers / Pages Functions (Standard)", "CPU time beyond 30M CPU-ms/month"): "cpu-ms",
    ("Cloudflare", "Workers Free plan", "requests (first 100,000/day)"): "requests",
    ("Cloudflare", "Pages", "static asset requests"): "static-requests",
    ("Cloudflare", "R2", "Standard storage"): "storage",
    ("AWS", "EKS control plane", "standard support"): "standard",
    ("AWS", "EKS control plane", "extended support"): "extended",
    ("AWS", "ECS Fargate", "ephemeral storage above 20 GB"): "ephemeral-storage",
    ("AWS", "Application Load Balancer", "load balancer"): "hour",
    ("AWS", "Application Load Balancer", "LCU"): "lcu",
    ("AWS", "NAT Gateway", "data processed"): "data",
    ("AWS", "Public IPv4 address", "in-use or idle"): "address",
    ("AWS", "Data transfer out to internet", "first 100 GB/month (all services)"): "first-100gb",
    ("AWS", "Data transfer out to internet", "up to 10 TB/month"): "to-10tb",
    ("AWS", "Data transfer out to internet", "next 40 TB/month"): "next-40tb",
    ("AWS", "Data transfer out to internet", "next 100 TB/month"): "next-100tb",
    ("AWS", "Data transfer out to internet", "over 150 TB/month"): "over-150tb",
    ("AWS", "Data transfer cross-AZ", "same region"): "gb",
    ("AWS", "RDS backup storage", "beyond 100% of provisioned"): "gb",
    ("AWS", "ElastiCache Serverless (Redis OSS)", "data stored"): "data",
    ("AWS", "ElastiCache Serverless (Valkey)", "data stored"): "data",
    ("AWS", "CloudFront pay-as-you-go", "data transfer out, N. America, first 10 TB"): "egress-na",
    ("AWS", "CloudFront pay-as-you-go", "HTTP requests"): "http-requests",
    ("AWS", "CloudFront pay-as-you-go", "HTTPS requests"): "https-requests",
    ("GCP", "GKE cluster management fee", "Standard or Autopilot cluster"): "cluster",
    ("GCP", "GKE free tier", "monthly credit"): "credit",
    ("GCP", "GKE Enterprise edition", "vCPU under management"): "vcpu",
    ("GCP", "Network egress (Premium tier)", "internet, first 1 TiB"): "premium-first-1tib",
    ("Azure", "AKS control plane", "Free tier"): "free",
    ("Azure", "AKS control plane", "Standard tier"): "standard",
    ("Azure", "AKS control plane", "Premium tier (LTS)"): "premium",
    ("Azure", "Database for PostgreSQL Flexible Server", "Burstable B1ms"): "b1ms",
    ("Azure", "Database for PostgreSQL Flexible Server", "storage (Premium SSD)"): "storage",
    ("Azure", "Load Balancer", "Standard, first 5 rules"): "standard",
    ("Azure", "Load Balancer", "Standard, each additional rule"): "rule",
    ("Azure", "Load Balancer", "Standard, data processed"): "data",
    ("Azure", "Front Door", "Standard base fee"): "standard",
    ("Azure", "Front Door", "Premium base fee"): "premium",
    ("Azure", "Front Door", "Standard requests"): "standard-requests",
    ("Azure", "Front Door", "Premium requests"): "premium-requests",
    ("Azure", "Front Door", "edge-to-client data transfer, first 10 TB"): "egress",
    ("Azure", "Service Bus", "Basic operations"): "basic-ops",
    ("Azure", "Service Bus", "Standard base charge"): "standard",
    ("Azure", "Service Bus", "Standard operations 13M-100M/month"): "standard-ops",
    ("Azure", "Service Bus", "Premium messaging unit"): "premium-mu",
    ("Azure", "Application Insights (workspace-based / Log Analytics)", "Analytics Logs ingestion, pay-as-you-go"): "ingest",
    ("Azure", "Bandwidth", "internet egress NA, after first 100 GB"): "egress-na",
    ("MongoDB Atlas", "Flex cluster", "usage-based, capped"): "cap",
    ("Upstash", "Redis Pay-As-You-Go", "storage beyond first 1 GB"): "storage",
    ("Upstash", "Redis Pay-As-You-Go", "bandwidth beyond 200 GB/month"): "bandwidth",
    ("Upstash", "Redis Fixed plan", "Fixed 250 MB"): "250mb",
    ("Upstash", "Redis Fixed plan", "Fixed 1 GB"): "1gb",
    ("Upstash", "Redis Fixed plan", "Fixed 5 GB"): "5gb",
    ("Upstash", "Redis Fixed plan", "Fixed 10 GB"): "10gb",
    ("Upstash", "Redis Fixed plan", "Fixed 50 GB"): "50gb",
    ("Upstash", "Redis Fixed plan", "Fixed 100 GB"): "100gb",
    ("Upstash", "Redis Fixed plan", "Fixed 500 GB"): "500gb",
    ("Upstash", "Redis Prod Pack add-on", "per database"): "database",
    ("Redis Cloud", "Essentials (free)", "30 MB"): "free-30mb",
    ("Redis Cloud", "Essentials (paid)", "hourly rate (entry)"): "hourly",
    ("Redis Cloud", "Pro", "monthly minimum spend"): "minimum",
    ("Supabase", "Plan", "compute credits (Pro/Team)"): "compute-credit",
    ("Supabase", "Disk (gp3)", "beyond 8 GB included"): "gb",
    ("Supabase", "Disk (gp3)", "IOPS beyond 3,000"): "iops",
    ("Supabase", "Disk (gp3)", "throughput beyond 125 MB/s"): "throughput",
    ("Supabase", "Egress", "uncached, beyond 250 GB (Pro/Team)"): "uncached",
    ("Supabase", "Egress", "cached (CDN), beyond 250 GB"): "cached",
    ("Vercel", "Fluid compute", "Active CPU (beyond 16 h included on Pro)"): "active-cpu",
    ("Vercel", "Fluid compute", "Provisioned memory (beyond 1,440 GB-h on Pro)"): "memory",
    ("Vercel", "Functions", "invocations beyond 1M/month"): "invocations",
    ("Vercel", "CDN", "Fast Data Transfer (beyond 1 TB on Pro)"): "fast-data-transfer",
    ("Vercel", "CDN", "Fast Origin Transfer"): "fast-origin-transfer",
    ("Vercel", "CDN", "Edge Requests (beyond 10M on Pro)"): "edge-requests",
    ("Datadog", "Infrastructure Monitoring", "Pro (annual)"): "pro-annual",
    ("Datadog", "Infrastructure Monitoring", "Pro (on-demand / month-to-month)"): "pro-monthly",
    ("Datadog", "Infrastructure Monitoring", "Enterprise (annual)"): "enterprise-annual",
    ("Datadog", "Infrastructure Monitoring", "Enterprise (monthly)"): "enterprise-monthly",
    ("Datadog", "APM", "APM host"): "host",
    ("Datadog", "APM", "APM Pro (with Data Streams)"): "pro",
    ("Datadog", "APM", "APM Enterprise (with Profiler)"): "enterprise",
    ("Datadog", "Containers", "beyond per-host allotment"): "container-hour",
    ("Datadog", "Log Management", "standard indexing, 15-day retention"): "index-15d",
    ("Datadog", "Custom metrics", "beyond allotment"): "metric",
}

# Raw unit text -> normalised unit.
UNIT = {
    "per hour": "hour", "per cluster-hour": "hour", "per LCU-hour": "hour",
    "per rule-hour": "hour", "per MU-hour": "hour", "per container-hour": "hour",
    "per vCPU-hour": "vcpu_hour", "per CPU-hour": "vcpu_hour",
    "per GB-hour": "gb_hour",
    "per month": "month", "per month per domain": "month",
    "per month per distribution": "month", "per month per profile": "month",
    "per month per organization": "month", "per month per account": "month",
    "per host-month": "month", "per member-month": "month", "per user-month": "month",
    "per metric-month": "month", "per billing-account-month (credit)": "month",
    "per month (credit)": "month", "per month (minimum)": "month",
    "per month (maximum)": "month", "per 30-day month (720 h)": "month",
    "per IOPS-month": "month", "per MB/s-month": "month", "per cluster": "month",
    "per vCPU-month": "vcpu_month",
    "per GB-month": "gb_month", "per GiB-month": "gb_month",
    "per GB-month (30 days)": "gb_month",
    "per GB": "gb", "per GB each direction": "gb", "per GiB": "gib",
    "per 100 GB": "hundred_gb",
    "per million requests": "million_requests", "per million commands": "million_requests",
    "per million operations": "million_requests", "per million events": "million_requests",
    "per million ECPUs": "million_requests",
    "per million CPU-ms": "million_cpu_ms",
}

TIME_UNITS = {"hour", "vcpu_hour", "gb_hour", "month", "vcpu_month", "gb_month"}


def billing(row, unit):
    """(granularity, minimum_s, month_hours) for a row, from pricing.md's rules."""
    p, prod, sku = row["provider"], row["product"], row["sku"]
    month_hours = 730
    if p == "Fly.io" and "30" in row["unit"] or p == "Railway" and unit in ("vcpu_month", "gb_month"):
        month_hours = 720
    if unit not in TIME_UNITS:
        return "usage", 0, month_hours
    if p == "AWS":
        if prod.startswith("EC2") or prod.startswith("ECS Fargate"):
            return "second", 60, month_hours
        if prod.startswith("RDS for PostgreSQL"):
            return "second", 600, month_hours
        if prod == "Application Load Balancer" or prod.startswith("ElastiCache node"):
            return "hour", 0, month_hours
    if p == "GCP":
        if prod.startswith("GKE cluster"):
            return "second", 0, month_hours
        if prod.startswith("Compute Engine") or prod.startswith("GKE Autopilot"):
            return "second", 60, month_hours
    if p == "Fly.io" and prod.startswith("Machine"):
        return "second", 0, month_hours
    if p == "Render" and prod in ("Web service instance", "Workflows task-run compute"):
        return "second", 0, month_hours
    if p == "Railway" and unit in ("vcpu_month", "gb_month"):
        return "minute", 0, month_hours
    if p == "Supabase" and prod.startswith("Compute add-on"):
        return "hour", 0, month_hours
    if p == "MongoDB Atlas" and prod.startswith("Dedicated"):
        return "hour", 0, month_hours
    return "prorated", 0, month_hours


def slug(text):
    s = re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")
    return re.sub(r"-+", "-", s)


def generate(reference):
    with open(reference, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    seen = set()
    for row in rows:
        key = (row["provider"], row["product"])
        sku_part = SKU_SLUG.get((row["provider"], row["product"], row["sku"]), slug(row["sku"]))
        ident = ".".join([PROVIDER_SLUG[row["provider"]], PRODUCT_SLUG[key], sku_part])
        if ident in seen:
            raise SystemExit(f"duplicate id {ident}")
        seen.add(ident)
        unit = UNIT[row["unit"]]
        gran, minimum, month_hours = billing(row, unit)
        w.writerow([
            ident, row["provider"], row["product"], row["sku"], row["vcpu"],
            row["memory_gib"], row["price"], unit, row["unit"], gran, minimum,
            month_hours, row["region"], row["source_url"], row["verified"],
        ])
    return out.getvalue(), len(rows)


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if not args:
        print("usage: python3 pricing/generate.py REFERENCE_CSV [--check]", file=sys.stderr)
        return 2
    reference = args[0]
    text, n = generate(reference)
    if check:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("pricing/catalog.csv is out of date: run python3 pricing/generate.py")
                return 1
        print(f"pricing/catalog.csv is up to date ({n} rows)")
        return 0
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print(f"wrote {OUT} ({n} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
