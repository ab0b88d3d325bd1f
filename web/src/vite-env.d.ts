/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the gRPC-Web gateway (Envoy). Default: http://127.0.0.1:8080 */
  readonly VITE_GATEWAY_URL?: string;
  /** Songs per page (1 to 100). Default: 10 */
  readonly VITE_PAGE_SIZE?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
