import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import { PageHeading } from "../ui/PageHeading";

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found" />
      <Text>
        There is no page at this address.{" "}
        <Anchor component={Link} to="/">
          Go to your songs
        </Anchor>
        .
      </Text>
    </>
  );
}
