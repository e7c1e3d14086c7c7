//! The Rust SDK's per-call overhead against raw reqwest, measured the way the TypeScript and
//! Python benchmarks measure theirs: the same local server (packages/sdk-ts/bench/peer-server.ts,
//! in its own process), the same request (GET /api/v1/health/live with the SDK's headers: Accept,
//! X-API-Key and its User-Agent), the same decode (serde_json into the SDK's `Liveness` model),
//! this process's CPU time and wall time. Finely interleaved pairs: one batch of each arm per
//! pair, in an order drawn at random per pair, warm-up pairs discarded; the figure is the median
//! of the per-pair CPU ratios with its interquartile range. Prints one JSON document.
//! Usage: `tka-sdk-bench <base-url> [calls-per-batch] [pairs]`.
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

/// The q-quantile (0..1), linear interpolation between order statistics (as the TypeScript
/// and Python benchmarks).
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let pos = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// A small xorshift generator for the order of each pair (no extra dependency).
struct Coin(u64);
impl Coin {
    fn flip(&mut self) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 & 1 == 1
    }
}

const WARMUP_PAIRS: usize = 40;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .ok_or("usage: tka-sdk-bench <base-url> [calls] [rounds]")?
        .clone();
    let n: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(64);
    let pairs: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(600);

    let tka = tka::Tka::builder()
        .base_url(&base)
        .api_key("k")
        .max_retries(0)
        .build()?;
    // The SDK's User-Agent (generated/rust/src/runtime/builder.rs), so both arms send the same.
    let user_agent = format!(
        "tka-sdk/2.0.0 rust ({}; {})",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let raw = reqwest::Client::builder().user_agent(user_agent).build()?;
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
            .expect("raw call")
            .error_for_status()
            .expect("raw status");
        let body = response.bytes().await.expect("raw body");
        let _: tka::models::Liveness = serde_json::from_slice(&body).expect("raw JSON");
    };
    let load_at_start = load_average();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos() as u64;
    let mut coin = Coin(seed | 1);
    let mut rows = Vec::new();
    for i in 0..WARMUP_PAIRS + pairs {
        let sdk_first = coin.flip();
        let (sdk, raw) = if sdk_first {
            let s = measure(n, sdk_call).await;
            (s, measure(n, raw_call).await)
        } else {
            let r = measure(n, raw_call).await;
            (measure(n, sdk_call).await, r)
        };
        if i >= WARMUP_PAIRS {
            rows.push((sdk, raw));
        }
    }
    let cpu: Vec<f64> = rows.iter().map(|(s, r)| s.1 / r.1).collect();
    let wall: Vec<f64> = rows.iter().map(|(s, r)| s.0 / r.0).collect();
    let diff: Vec<f64> = rows.iter().map(|(s, r)| s.1 - r.1).collect();
    let sdk_cpu: Vec<f64> = rows.iter().map(|(s, _)| s.1).collect();
    let raw_cpu: Vec<f64> = rows.iter().map(|(_, r)| r.1).collect();
    let totals = sdk_cpu.iter().sum::<f64>() / raw_cpu.iter().sum::<f64>();
    println!(
        "{{\n  \"benchmark\": \"Rust SDK call vs raw reqwest with the SDK's headers and decode (same local server, same run)\",\n  \"method\": \"interleaved pairs: one batch of each arm per pair, order random per pair, warm-up pairs discarded; ratios are SDK over raw per pair\",\n  \"calls_per_batch\": {n},\n  \"warmup_pairs_discarded\": {WARMUP_PAIRS},\n  \"pairs\": {},\n  \"cpu_ratio_sdk_over_raw_median\": {:.3},\n  \"cpu_ratio_sdk_over_raw_iqr\": [{:.3}, {:.3}],\n  \"cpu_ratio_of_totals\": {totals:.3},\n  \"wall_ratio_sdk_over_raw_median\": {:.3},\n  \"wall_ratio_sdk_over_raw_iqr\": [{:.3}, {:.3}],\n  \"cpu_us_per_call_median\": {{\"sdk\": {:.2}, \"raw\": {:.2}, \"sdk_minus_raw\": {:.2}, \"sdk_minus_raw_iqr\": [{:.2}, {:.2}]}},\n  \"load_average_1m_at_start\": {load_at_start},\n  \"load_average_1m\": {}\n}}",
        rows.len(),
        quantile(&cpu, 0.5),
        quantile(&cpu, 0.25),
        quantile(&cpu, 0.75),
        quantile(&wall, 0.5),
        quantile(&wall, 0.25),
        quantile(&wall, 0.75),
        quantile(&sdk_cpu, 0.5),
        quantile(&raw_cpu, 0.5),
        quantile(&diff, 0.5),
        quantile(&diff, 0.25),
        quantile(&diff, 0.75),
        load_average(),
    );
    Ok(())
}

/// The machine's 1-minute load average, recorded with the figures (Linux; null elsewhere).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "null".to_string())
}
