/**
 * The icons the app uses, each from its own module: the package's index pulls
 * in thousands (megabytes for the dev server to hand every page load).
 */
export { default as IconApi } from "@tabler/icons-react/icons/IconApi";
export { default as IconArrowDown } from "@tabler/icons-react/icons/IconArrowDown";
export { default as IconArrowUp } from "@tabler/icons-react/icons/IconArrowUp";
export { default as IconChevronLeft } from "@tabler/icons-react/icons/IconChevronLeft";
export { default as IconChevronRight } from "@tabler/icons-react/icons/IconChevronRight";
export { default as IconLogout } from "@tabler/icons-react/icons/IconLogout";
export { default as IconMoon } from "@tabler/icons-react/icons/IconMoon";
export { default as IconMusic } from "@tabler/icons-react/icons/IconMusic";
export { default as IconPencil } from "@tabler/icons-react/icons/IconPencil";
export { default as IconPlaylist } from "@tabler/icons-react/icons/IconPlaylist";
export { default as IconPlus } from "@tabler/icons-react/icons/IconPlus";
export { default as IconSearch } from "@tabler/icons-react/icons/IconSearch";
export { default as IconSelector } from "@tabler/icons-react/icons/IconSelector";
export { default as IconSun } from "@tabler/icons-react/icons/IconSun";
export { default as IconTrash } from "@tabler/icons-react/icons/IconTrash";
export { default as IconUpload } from "@tabler/icons-react/icons/IconUpload";
export { default as IconUser } from "@tabler/icons-react/icons/IconUser";
export { default as IconUsers } from "@tabler/icons-react/icons/IconUsers";
export { default as IconX } from "@tabler/icons-react/icons/IconX";
