// SSL, virtual_server_group, virtual_server, real_server and checkers -> the Vigil model.
#include <doctest/doctest.h>

#include "kconf_test_support.hpp"

using namespace kconf_test;

namespace {
std::int64_t int_at(const Value& doc, const std::string& path) {
  const Value* v = at(doc, path);
  REQUIRE(v != nullptr);
  return v->as_integer();
}
std::string text_at(const Value& doc, const std::string& path) {
  const Value* v = at(doc, path);
  REQUIRE(v != nullptr);
  return v->text();
}
bool bool_at(const Value& doc, const std::string& path) {
  const Value* v = at(doc, path);
  REQUIRE(v != nullptr);
  return v->as_bool();
}
}  // namespace

TEST_CASE("virtual_server: legacy lb_algo/lb_kind, persistence, quorum, sorry server") {
  auto m =
      map("virtual_server 192.0.2.100 80 {\n delay_loop 6\n lb_algo wrr\n lb_kind DR\n protocol tcp\n"
          " persistence_timeout\n persistence_granularity 255.255.255.0\n quorum 2\n hysteresis 1\n"
          " quorum_up \"/bin/up.sh\"\n sorry_server 192.0.2.200 8080\n sorry_server_inhibit\n"
          " sorry_server_lvs_method NAT\n inhibit_on_failure\n alpha\n omega\n ha_suspend\n sh-port\n}\n");
  const auto& d = m.doc;
  CHECK(text_at(d, "virtual_server.0.ip") == "192.0.2.100");
  CHECK(int_at(d, "virtual_server.0.port") == 80);
  CHECK(int_at(d, "virtual_server.0.delay_loop") == 6);
  CHECK(text_at(d, "virtual_server.0.lvs_sched") == "wrr");
  CHECK(text_at(d, "virtual_server.0.lvs_method") == "DR");
  CHECK(text_at(d, "virtual_server.0.protocol") == "TCP");
  CHECK(int_at(d, "virtual_server.0.persistence_timeout") == 360);
  CHECK(int_at(d, "virtual_server.0.persistence_granularity") == 24);
  CHECK(int_at(d, "virtual_server.0.quorum") == 2);
  CHECK(text_at(d, "virtual_server.0.quorum_up") == "/bin/up.sh");
  CHECK(text_at(d, "virtual_server.0.sorry_server.ip") == "192.0.2.200");
  CHECK(int_at(d, "virtual_server.0.sorry_server.port") == 8080);
  CHECK(bool_at(d, "virtual_server.0.sorry_server.inhibit"));
  CHECK(text_at(d, "virtual_server.0.sorry_server.lvs_method") == "NAT");
  CHECK(bool_at(d, "virtual_server.0.omega"));
  CHECK(bool_at(d, "virtual_server.0.sh_port"));
}

TEST_CASE("virtual_server by fwmark and by group, virtual_server_group members") {
  auto m =
      map("virtual_server_group G {\n 192.0.2.10-20 80\n 2001:db8::1 443\n fwmark 7 inet6\n}\n"
          "virtual_server group G {\n lvs_sched rr\n}\nvirtual_server fwmark 5 {\n lvs_method TUN type gue port 6080 "
          "csum\n}\n");
  CHECK(text_at(m.doc, "virtual_server_group.G.members.0.ip") == "192.0.2.10-20");
  CHECK(int_at(m.doc, "virtual_server_group.G.members.0.port") == 80);
  CHECK(int_at(m.doc, "virtual_server_group.G.members.2.fwmark") == 7);
  CHECK(text_at(m.doc, "virtual_server_group.G.members.2.family") == "inet6");
  CHECK(text_at(m.doc, "virtual_server.0.group") == "G");
  CHECK(int_at(m.doc, "virtual_server.1.fwmark") == 5);
  CHECK(text_at(m.doc, "virtual_server.1.tunnel_type") == "gue");
  CHECK(int_at(m.doc, "virtual_server.1.tunnel_port") == 6080);
  CHECK(text_at(m.doc, "virtual_server.1.tunnel_checksum") == "csum");
}

TEST_CASE("real_server options and TCP_CHECK, nb_get_retry in TCP_CHECK is ignored as by keepalived") {
  auto m =
      map("virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 8080 {\n weight 3\n uthreshold 100\n"
          " notify_down \"/bin/down.sh rs1\"\n TCP_CHECK {\n connect_timeout 3\n connect_port 8081\n"
          " nb_get_retry 3\n delay_before_retry 2\n }\n }\n}\n");
  const auto& d = m.doc;
  CHECK(int_at(d, "virtual_server.0.real_server.0.weight") == 3);
  CHECK(int_at(d, "virtual_server.0.real_server.0.port") == 8080);
  CHECK(int_at(d, "virtual_server.0.real_server.0.uthreshold") == 100);
  CHECK(text_at(d, "virtual_server.0.real_server.0.notify_down") == "/bin/down.sh rs1");
  CHECK(int_at(d, "virtual_server.0.real_server.0.tcp_check.0.connect_port") == 8081);
  CHECK(at(d, "virtual_server.0.real_server.0.tcp_check.0.retry") == nullptr);
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "unknown keyword 'nb_get_retry' in TCP_CHECK", 9));
}

TEST_CASE("HTTP_GET and SSL_GET: urls, status codes, nb_get_retry is retry there") {
  auto m =
      map("virtual_server 192.0.2.1 443 {\n real_server 198.51.100.1 443 {\n SSL_GET {\n url {\n path /a\n"
          " digest abc\n status_code 200 300-399\n }\n url {\n path /b\n virtualhost h.example\n }\n"
          " nb_get_retry 4\n enable_sni\n }\n HTTP_GET {\n url {\n path /\n }\n http_protocol 1.1\n }\n }\n}\n");
  const std::string c = "virtual_server.0.real_server.0.ssl_get.0.";
  CHECK(text_at(m.doc, c + "url.0.path") == "/a");
  CHECK(text_at(m.doc, c + "url.0.digest") == "abc");
  CHECK(int_at(m.doc, c + "url.0.status_code.0") == 200);
  CHECK(text_at(m.doc, c + "url.0.status_code.1") == "300-399");
  CHECK(text_at(m.doc, c + "virtualhost") == "h.example");
  CHECK(int_at(m.doc, c + "retry") == 4);
  CHECK(bool_at(m.doc, c + "enable_sni"));
  CHECK(text_at(m.doc, "virtual_server.0.real_server.0.http_get.0.http_protocol") == "1.1");
}

TEST_CASE("MISC_CHECK, DNS_CHECK, UDP_CHECK, FILE_CHECK, PING_CHECK") {
  auto m =
      map("virtual_server 192.0.2.1 53 {\n real_server 198.51.100.1 53 {\n"
          " MISC_CHECK {\n misc_path \"/bin/chk.sh 198.51.100.1 >/dev/null\"\n misc_timeout 5\n misc_dynamic\n"
          " user nobody\n }\n DNS_CHECK {\n type A\n name example.com\n }\n"
          " UDP_CHECK {\n payload 00 01\n require_reply 0X\n max_reply_length 40\n }\n"
          " FILE_CHECK {\n track_file tf\n weight 2 reverse\n }\n PING_CHECK {\n }\n }\n}\n");
  const std::string rs = "virtual_server.0.real_server.0.";
  CHECK(text_at(m.doc, rs + "misc_check.0.misc_path") == "/bin/chk.sh 198.51.100.1 >/dev/null");
  CHECK(int_at(m.doc, rs + "misc_check.0.misc_timeout") == 5);
  CHECK(bool_at(m.doc, rs + "misc_check.0.misc_dynamic"));
  CHECK(text_at(m.doc, rs + "dns_check.0.type") == "A");
  CHECK(text_at(m.doc, rs + "udp_check.0.payload") == "0001");
  CHECK(int_at(m.doc, rs + "udp_check.0.max_reply_length") == 40);
  CHECK(text_at(m.doc, rs + "file_check.0.track_file") == "tf");
  CHECK(bool_at(m.doc, rs + "file_check.0.reverse"));
  CHECK(at(m.doc, rs + "ping_check.0") != nullptr);
}

TEST_CASE("SMTP_CHECK host{} blocks become one smtp_check each") {
  auto m =
      map("virtual_server 192.0.2.1 25 {\n real_server 198.51.100.1 25 {\n SMTP_CHECK {\n helo_name me\n"
          " host {\n connect_ip 198.51.100.2\n }\n host {\n connect_ip 198.51.100.3\n connect_port 587\n }\n"
          " }\n }\n}\n");
  const std::string rs = "virtual_server.0.real_server.0.";
  CHECK(at(m.doc, rs + "smtp_check")->items().size() == 2);
  CHECK(text_at(m.doc, rs + "smtp_check.1.connect_ip") == "198.51.100.3");
  CHECK(text_at(m.doc, rs + "smtp_check.1.helo_name") == "me");
}

TEST_CASE("SSL block") {
  auto m = map("SSL {\n ca /etc/ca.pem\n certificate /etc/c.pem\n key /etc/k.pem\n password p\n}\n");
  CHECK(text_at(m.doc, "ssl.ca") == "/etc/ca.pem");
  CHECK(text_at(m.doc, "ssl.password") == "p");
}

TEST_CASE("a virtual_server without a usable address is carried as a comment") {
  auto m = map("virtual_server xxx.xxx.xxx.xxx 80 {\n lvs_sched rr\n}\n");
  CHECK(at(m.doc, "virtual_server") == nullptr);
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "not converted", 1));
}
