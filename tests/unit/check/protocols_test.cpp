// The checkers' protocol logic: HTTP requests and responses, SMTP dialogue, DNS query and reply,
// UDP reply matching, MISC exit codes, FILE values.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "check/dns.hpp"
#include "check/http.hpp"
#include "check/icmp.hpp"
#include "check/smtp.hpp"
#include "check/verdicts.hpp"

using namespace vigil::check;

TEST_CASE("http: request line - Host with a non-default port - Connection: close for 1.1") {
  CHECK(build_http_request({"/health", "www.example.com", 80, false, HttpVersion::k10}) ==
        "GET /health HTTP/1.0\r\nUser-Agent: Vigil-HealthCheck\r\nHost: www.example.com\r\n\r\n");
  CHECK(build_http_request({"/", "192.0.2.1", 8080, false, HttpVersion::k11}) ==
        "GET / HTTP/1.1\r\nUser-Agent: Vigil-HealthCheck\r\nHost: 192.0.2.1:8080\r\nConnection: close\r\n\r\n");
  CHECK(build_http_request({"/", "2001:db8::1", 443, true, HttpVersion::k10Close}) ==
        "GET / HTTP/1.0\r\nUser-Agent: Vigil-HealthCheck\r\nHost: [2001:db8::1]\r\nConnection: close\r\n\r\n");
}

TEST_CASE("http: md5 of the body - split anywhere - with and without Content-Length") {
  const std::string body = "hello vigil\n";
  const std::string with_length = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX: y\r\n\r\n" + body + "trailing junk";
  for (std::size_t cut = 0; cut <= with_length.size(); ++cut) {
    HttpResponseReader reader;
    CHECK(reader.feed(std::string_view(with_length).substr(0, cut)));
    CHECK(reader.feed(std::string_view(with_length).substr(cut)));
    REQUIRE(reader.complete());
    CHECK(reader.status() == 200);
    CHECK(reader.digest() == md5_hex(body));
  }
  HttpResponseReader until_close;
  CHECK(until_close.feed("HTTP/1.0 404 Not Found\r\n\r\n" + body));
  CHECK_FALSE(until_close.complete());
  until_close.finish();
  CHECK(until_close.complete());
  CHECK(until_close.digest() == md5_hex(body));
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_CASE("http: judgement (table)") {
  struct Row {
    std::string response;
    HttpExpectation expect;
    bool passes;
  };
  const std::string ok = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const std::vector<Row> rows = {
      {ok, {}, true},
      {"HTTP/1.0 302 Found\r\n\r\n", {}, false},
      {"HTTP/1.0 302 Found\r\n\r\n", {{{300, 399}}, std::nullopt}, true},
      {ok, {{{200, 200}}, md5_hex("ok")}, true},
      {ok, {{{200, 200}}, md5_hex("ko")}, false},
      {"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nok", {}, false},  // closed early
      {"SSH-2.0-OpenSSH\r\n\r\n", {}, false},
      {"", {}, false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.response);
    HttpResponseReader reader;
    (void)reader.feed(row.response);
    reader.finish();
    CHECK(judge_http_response(reader, row.expect).has_value() == !row.passes);
  }
}

TEST_CASE("smtp: greeting - HELO - 250 - QUIT - multi-line replies - failures") {
  SmtpDialogue good("lb1");
  CHECK(good.on_line("220-mail.example ESMTP").send.empty());
  auto r = good.on_line("220 ready");
  CHECK(r.outcome == SmtpDialogue::Outcome::kContinue);
  CHECK(r.send == "HELO lb1\r\n");
  CHECK(good.on_line("250-hello").outcome == SmtpDialogue::Outcome::kContinue);
  r = good.on_line("250 ok");
  CHECK(r.outcome == SmtpDialogue::Outcome::kPassed);
  CHECK(r.send == "QUIT\r\n");

  SmtpDialogue busy("lb1");
  CHECK(busy.on_line("421 too busy").outcome == SmtpDialogue::Outcome::kFailed);
  SmtpDialogue refused("lb1");
  (void)refused.on_line("220 hi");
  CHECK(refused.on_line("550 no").outcome == SmtpDialogue::Outcome::kFailed);
  SmtpDialogue garbage("lb1");
  CHECK(garbage.on_line("HTTP/1.0 400").outcome == SmtpDialogue::Outcome::kFailed);

  LineSplitter lines;
  lines.feed("220 a\r\n25");
  CHECK(lines.next_line() == "220 a");
  CHECK_FALSE(lines.next_line());
  lines.feed("0 b\n");
  CHECK(lines.next_line() == "250 b");
}

TEST_CASE("dns: query bytes and reply judgement") {
  const auto query = build_dns_query(0x1234, "www.example.", DnsQueryType::kA);
  REQUIRE(query);
  const std::vector<std::uint8_t> expected = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0,   0, 0, 0, 3, 'w', 'w',
                                              'w',  7,    'e',  'x',  'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};
  CHECK(*query == expected);
  const auto root = build_dns_query(1, ".", DnsQueryType::kSoa);
  REQUIRE(root);
  CHECK(root->size() == 12 + 1 + 4);
  CHECK_FALSE(build_dns_query(1, std::string(64, 'a'), DnsQueryType::kA));

  // A reply: the query with QR set, one answer (its bytes are not inspected).
  auto reply = *query;
  reply[2] = 0x81;
  reply[3] = 0x80;
  reply[7] = 1;
  const std::vector<std::uint8_t> answer = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
  reply.insert(reply.end(), answer.begin(), answer.end());
  CHECK_FALSE(judge_dns_reply(reply, 0x1234, "WWW.example", DnsQueryType::kA));
  CHECK(judge_dns_reply(reply, 0x1235, "www.example", DnsQueryType::kA));
  CHECK(judge_dns_reply(reply, 0x1234, "www.example", DnsQueryType::kAaaa));
  CHECK(judge_dns_reply(reply, 0x1234, "ftp.example", DnsQueryType::kA));
  auto nxdomain = reply;
  nxdomain[3] = 0x83;
  CHECK(judge_dns_reply(nxdomain, 0x1234, "www.example", DnsQueryType::kA) == "rcode 3");
  auto empty = reply;
  empty[7] = 0;
  CHECK(judge_dns_reply(empty, 0x1234, "www.example", DnsQueryType::kA) == "no answer records");
  CHECK(judge_dns_reply(std::vector<std::uint8_t>(5), 0x1234, "www.example", DnsQueryType::kA));
}

TEST_CASE("udp: silence passes unless a reply is required - X nibbles - lengths") {
  const UdpExpectation lenient{};
  CHECK_FALSE(judge_udp({std::nullopt, false}, lenient));
  CHECK(judge_udp({std::nullopt, true}, lenient) == "port unreachable");
  const UdpExpectation strict{"48X5", 2, 10};
  CHECK(judge_udp({std::nullopt, false}, strict) == "no reply");
  CHECK_FALSE(judge_udp({std::vector<std::uint8_t>{0x48, 0x65, 0x6c}, false}, strict));
  CHECK_FALSE(judge_udp({std::vector<std::uint8_t>{0x48, 0xf5}, false}, strict));
  CHECK(judge_udp({std::vector<std::uint8_t>{0x49, 0x65}, false}, strict));
  CHECK(judge_udp({std::vector<std::uint8_t>{0x48}, false}, strict));
  CHECK(judge_udp({std::vector<std::uint8_t>(11, 0x48), false}, strict));
  CHECK(parse_hex("00ff7A") == std::vector<std::uint8_t>{0x00, 0xff, 0x7a});
  CHECK_FALSE(parse_hex("abc"));
  CHECK_FALSE(parse_hex("zz"));
}

TEST_CASE("misc: exit codes - misc_dynamic weights") {
  struct Row {
    std::optional<int> code;
    bool dynamic;
    ProbeResult expected;
  };
  const std::vector<Row> rows = {
      {0, false, {true, std::nullopt}}, {1, false, {false, std::nullopt}}, {2, false, {false, std::nullopt}},
      {0, true, {true, std::nullopt}},  {1, true, {false, std::nullopt}},  {2, true, {true, 0}},
      {12, true, {true, 10}},           {255, true, {true, 253}},          {std::nullopt, true, {false, std::nullopt}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.code.value_or(-1));
    CAPTURE(row.dynamic);
    CHECK(misc_result(row.code, row.dynamic) == row.expected);
  }
}

TEST_CASE("file: weight 0 is up only at 0 - a weight scales the value") {
  CHECK(file_result(0, 0, false, 5) == ProbeResult{true, std::nullopt});
  CHECK(file_result(3, 0, false, 5) == ProbeResult{false, std::nullopt});
  CHECK(file_result(std::nullopt, 0, false, 5) == ProbeResult{true, std::nullopt});
  CHECK(file_result(2, 3, false, 5) == ProbeResult{true, 11});
  CHECK(file_result(2, 3, true, 5) == ProbeResult{true, 0});
  CHECK(parse_file_value(" 42\n") == 42);
  CHECK(parse_file_value("-7") == -7);
  CHECK_FALSE(parse_file_value("x"));
}

TEST_CASE("icmp: echo request checksum and reply matching") {
  const std::vector<std::uint8_t> payload = {'v', 'i', 'g'};
  const auto v4 = build_echo_request(false, 0x1234, 7, payload);
  // The checksum of a packet including its own checksum is zero.
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < v4.size(); i += 2) sum += static_cast<std::uint32_t>((v4[i] << 8) | v4[i + 1]);
  sum += static_cast<std::uint32_t>(v4.back() << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  CHECK(sum == 0xffff);
  auto reply = v4;
  reply[0] = 0;
  CHECK(is_echo_reply(reply, false, 0x1234, 7, true));
  CHECK_FALSE(is_echo_reply(reply, false, 0x1234, 8, true));
  CHECK_FALSE(is_echo_reply(reply, false, 0x4321, 7, true));
  CHECK(is_echo_reply(reply, false, 0x4321, 7, false));
  CHECK_FALSE(is_echo_reply(v4, false, 0x1234, 7, true));  // our own request
  auto v6 = build_echo_request(true, 1, 2, payload);
  CHECK(v6[0] == 128);
  v6[0] = 129;
  CHECK(is_echo_reply(v6, true, 1, 2, true));
  std::vector<std::uint8_t> ip(20, 0);
  ip[0] = 0x45;
  ip.insert(ip.end(), reply.begin(), reply.end());
  CHECK(icmp_payload_of_ipv4(ip).size() == reply.size());
  CHECK(icmp_payload_of_ipv4(std::vector<std::uint8_t>{0x60}).empty());
}
