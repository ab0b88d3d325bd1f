import { AppShell, Burger, Group, NavLink, Text, UnstyledButton } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconApi, IconMusic, IconPlaylist, IconUser, IconUsers } from "../ui/icons";
import { Link, NavLink as RouterLink, Outlet, useLocation } from "react-router";
import { UserMenu } from "../auth/UserMenu";
import { TenantSwitcher } from "../tenants/TenantSwitcher";
import { useRoleSync } from "../tenants/useActiveTenant";
import { ErrorBoundary } from "../ui/ErrorBoundary";

const PAGES = [
  { to: "/", label: "Songs", icon: IconMusic, end: true },
  { to: "/playlists", label: "Playlists", icon: IconPlaylist, end: false },
  { to: "/team", label: "Team", icon: IconUsers, end: false },
  { to: "/account", label: "Account", icon: IconUser, end: false },
  { to: "/explorer", label: "API explorer", icon: IconApi, end: false },
];

/** Header (product, tenant switcher, user menu), the pages' navigation, and the page. */
export function Shell() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { pathname } = useLocation();
  useRoleSync();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding={{ base: "xs", sm: "md" }}
    >
      <AppShell.Header>
        <Group h="100%" px="sm" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Pages" />
            <UnstyledButton component={Link} to="/">
              <Text fw={750} size="lg" c="indigo.8">
                Chorus
              </Text>
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <TenantSwitcher />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Pages">
        {PAGES.map(({ to, label, icon: Icon, end }) => (
          <NavLink
            key={to}
            component={RouterLink}
            to={to}
            end={end}
            label={label}
            leftSection={<Icon size={18} aria-hidden />}
            active={end ? pathname === to : pathname.startsWith(to)}
            variant="filled"
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <ErrorBoundary key={pathname}>
          <Outlet />
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
