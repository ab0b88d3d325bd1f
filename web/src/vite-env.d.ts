/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the gRPC-Web gateway (Envoy). Default: http://127.0.0.1:8080 */
  readonly VITE_GATEWAY_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
