import { Avatar, Menu, UnstyledButton, useMantineColorScheme } from "@mantine/core";
import { IconLogout, IconMoon, IconSun, IconUser } from "../ui/icons";
import { Link } from "react-router";
import { useServices } from "../api/ServicesContext";
import { useWhoAmI } from "./useWhoAmI";

/** The signed-in user's menu: account, light or dark, log out. */
export function UserMenu() {
  const { session } = useServices();
  const email = useWhoAmI().data?.user?.email ?? "";
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const dark = colorScheme === "dark";

  return (
    <Menu position="bottom-end" width={240}>
      <Menu.Target>
        <UnstyledButton aria-label="Your account" data-testid="user-menu">
          <Avatar radius="xl" size={34} color="indigo" aria-hidden />
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        {email && <Menu.Label data-testid="user-email">{email}</Menu.Label>}
        <Menu.Item component={Link} to="/account" leftSection={<IconUser size={16} aria-hidden />}>
          Account
        </Menu.Item>
        <Menu.Item
          leftSection={dark ? <IconSun size={16} aria-hidden /> : <IconMoon size={16} aria-hidden />}
          onClick={() => setColorScheme(dark ? "light" : "dark")}
        >
          {dark ? "Light theme" : "Dark theme"}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void session.logOut()}>
          Log out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
