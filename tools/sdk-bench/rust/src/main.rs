//! The Rust SDK's per-call overhead against raw reqwest, measured the way the TypeScript and
//! Python benchmarks measure theirs: the same local server (packages/sdk-ts/bench/peer-server.ts,
//! in its own process), the same request (GET /api/v1/health/live with an API key, JSON decoded),
//! rounds of N calls alternating which side goes first, wall time and this process's CPU time
//! per call. Prints one JSON document. Usage: `tka-sdk-bench <base-url> [calls] [rounds]`.
use std::time::Instant;

/// This process's CPU time (user + system) in microseconds.
fn cpu_us() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec; the clock id is a constant the kernel knows.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e6 + ts.tv_nsec as f64 / 1e3
}

/// Wall and CPU microseconds per call over `n` sequential calls.
async fn measure<F, Fut>(n: usize, mut call: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let cpu0 = cpu_us();
    let t0 = Instant::now();
    for _ in 0..n {
        call().await;
    }
    let wall = t0.elapsed().as_secs_f64() * 1e6 / n as f64;
    (wall, (cpu_us() - cpu0) / n as f64)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    values[values.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .ok_or("usage: tka-sdk-bench <base-url> [calls] [rounds]")?
        .clone();
    let n: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let rounds: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(25);

    let tka = tka::Tka::builder()
        .base_url(&base)
        .api_key("k")
        .max_retries(0)
        .build()?;
    let raw = reqwest::Client::new();
    let url = format!("{base}/api/v1/health/live");

    let sdk_call = || async {
        tka.health().get_liveness().await.expect("SDK call");
    };
    let raw_call = || async {
        let response = raw
            .get(&url)
            .header("Accept", "application/json")
            .header("X-API-Key", "k")
            .send()
            .await
            .expect("raw call");
        let _: serde_json::Value = response.json().await.expect("raw JSON");
    };
    // Warm-up: connections, allocator, branch predictors.
    measure(n, sdk_call).await;
    measure(n, raw_call).await;

    let mut rows = Vec::new();
    for round in 0..rounds {
        let (sdk, raw) = if round % 2 == 0 {
            let s = measure(n, sdk_call).await;
            (s, measure(n, raw_call).await)
        } else {
            let r = measure(n, raw_call).await;
            (measure(n, sdk_call).await, r)
        };
        rows.push((sdk, raw));
    }
    let wall_ratio = median(rows.iter().map(|(s, r)| s.0 / r.0).collect());
    let cpu_ratio = median(rows.iter().map(|(s, r)| s.1 / r.1).collect());
    // The machine's 1-minute load average, recorded with the figures (Linux).
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "null".to_string());
    let rounds_json: Vec<String> = rows
        .iter()
        .map(|(s, r)| {
            format!(
                "{{\"sdk_us\": {:.1}, \"raw_us\": {:.1}, \"sdk_cpu_us\": {:.1}, \"raw_cpu_us\": {:.1}}}",
                s.0, r.0, s.1, r.1
            )
        })
        .collect();
    println!(
        "{{\n  \"benchmark\": \"Rust SDK call vs raw reqwest (same local server, same run)\",\n  \"calls_per_round\": {n},\n  \"rounds\": [\n    {}\n  ],\n  \"median_ratio_sdk_over_raw\": {wall_ratio:.3},\n  \"median_cpu_ratio_sdk_over_raw\": {cpu_ratio:.3},\n  \"load_average_1m\": {load}\n}}",
        rounds_json.join(",\n    ")
    );
    Ok(())
}
