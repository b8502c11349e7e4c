#include "sys/user.hpp"

#include <doctest/doctest.h>

TEST_CASE("lookup_user resolves names and numbers") {
  auto root = vigil::sys::lookup_user("root");
  REQUIRE(root.has_value());
  CHECK(root->uid == 0);
  CHECK(root->gid == 0);
  auto nobody = vigil::sys::lookup_user("nobody");
  REQUIRE(nobody.has_value());
  CHECK(nobody->uid == 65534);
  auto numeric = vigil::sys::lookup_user("0", "65534");
  REQUIRE(numeric.has_value());
  CHECK(numeric->uid == 0);
  CHECK(numeric->gid == 65534);
}

TEST_CASE("lookup_user names what it could not find") {
  auto missing = vigil::sys::lookup_user("vigil-no-such-user");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("vigil-no-such-user") != std::string::npos);
  auto bad_group = vigil::sys::lookup_user("root", "vigil-no-such-group");
  REQUIRE_FALSE(bad_group.has_value());
  CHECK(bad_group.error().message.find("vigil-no-such-group") != std::string::npos);
}
