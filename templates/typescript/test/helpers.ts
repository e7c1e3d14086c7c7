import { BaseClient, type ClientConfig, type ClientOptions } from "../runtime/src/index.ts";

export const BASE = "http://api.test";

export const CONFIG: ClientConfig = {
  sdkName: "test-sdk",
  sdkVersion: "1.2.3",
  defaultBaseURL: BASE,
  apiKeyHeader: "X-Test-Key",
  env: { apiKey: "TEST_SDK_API_KEY", bearerToken: "TEST_SDK_BEARER_TOKEN", baseURL: "TEST_SDK_BASE_URL" },
};

/** A client whose backoff sleeps are recorded and skipped, and whose jitter is fixed (factor 1.0). */
export class TestClient extends BaseClient {
  readonly sleeps: number[] = [];
  realSleep = false;
  protected override random = (): number => 0;

  constructor(options: ClientOptions = {}, config: ClientConfig = CONFIG) {
    super(options, config);
  }

  protected override sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    this.sleeps.push(ms);
    return this.realSleep ? super.sleep(ms, signal) : super.sleep(0, signal);
  }
}
