import { Box, Group, NativeSelect, NavLink, ScrollArea, Stack, Text } from "@mantine/core";
import { useMemo } from "react";
import { NavLink as RouterLink, useNavigate, useParams } from "react-router";
import { PageHeading } from "../ui/PageHeading";
import { MethodPanel } from "./MethodPanel";
import { findMethod, loadContracts, methodPath, servicesOf } from "./contracts";

/**
 * The API explorer (the gRPC counterpart of FastAPI's /docs): every service
 * and method of protos/, its comments and field rules, and a form to call it
 * through the gateway as the signed-in user.
 */
export default function ExplorerPage() {
  const registry = useMemo(() => loadContracts(), []);
  const services = useMemo(() => servicesOf(registry), [registry]);
  const path = useParams()["*"] ?? "";
  const navigate = useNavigate();
  const first = services[0]?.methods[0];
  const method = findMethod(registry, path) ?? first;
  const selected = method ? methodPath(method) : "";

  return (
    <Stack gap="sm">
      <PageHeading title="API explorer" />
      <Text size="sm" c="dimmed">
        Every call of the Chorus contracts, read from protos/ when the app was built. Calls go through the
        gateway with your session&apos;s token, as the app&apos;s own calls do.
      </Text>
      <NativeSelect
        hiddenFrom="sm"
        label="Method"
        value={selected}
        onChange={(e) => void navigate(`/explorer/${e.currentTarget.value}`)}
      >
        {services.map((service) => (
          <optgroup key={service.typeName} label={service.typeName}>
            {service.methods.map((m) => (
              <option key={m.name} value={methodPath(m)}>
                {m.name}
              </option>
            ))}
          </optgroup>
        ))}
      </NativeSelect>
      <Group align="flex-start" wrap="nowrap" gap="md">
        <Box
          component="nav"
          aria-label="Services and methods"
          visibleFrom="sm"
          w={260}
          style={{ flexShrink: 0 }}
        >
          <ScrollArea.Autosize mah="calc(100vh - 180px)">
            {services.map((service) => (
              <Box key={service.typeName} mb="sm">
                <Text size="xs" fw={700} c="dimmed" px="sm" className="wrap-anywhere">
                  {service.typeName}
                </Text>
                {service.methods.map((m) => (
                  <NavLink
                    key={m.name}
                    component={RouterLink}
                    to={`/explorer/${methodPath(m)}`}
                    label={m.name}
                    active={methodPath(m) === selected}
                    variant="filled"
                    py={4}
                  />
                ))}
              </Box>
            ))}
          </ScrollArea.Autosize>
        </Box>
        <Box style={{ flex: 1, minWidth: 0 }}>
          {method ? (
            <MethodPanel key={selected} registry={registry} method={method} />
          ) : (
            <Text>No services.</Text>
          )}
        </Box>
      </Group>
    </Stack>
  );
}
