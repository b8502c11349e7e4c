#include "net/smtp/message.hpp"

#include <doctest/doctest.h>

using namespace vigil::net::smtp;

TEST_CASE("rfc5322_date formats UTC with a numeric zone") {
  CHECK(rfc5322_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(rfc5322_date(1795665540) == "Thu, 26 Nov 2026 03:59:00 +0000");
}

TEST_CASE("message_id is angle-bracketed and carries the host") {
  CHECK(message_id(100, 42, 7, "lb1.example.com") == "<100.42.7@lb1.example.com>");
  CHECK(message_id(100, 42, 7, "") == "<100.42.7@localhost>");
  CHECK(domain_of("vigil@lb1.example.com") == "lb1.example.com");
  CHECK(domain_of("lb1") == "lb1");
}

TEST_CASE("render writes the headers and turns every line end into CRLF") {
  const MailMessage message{"vigil@lb1", {"ops@example.com", "noc@example.com"}, "state\r\nBcc: x", "one\ntwo\r\n"};
  const auto text = render(message, "Thu, 01 Jan 1970 00:00:00 +0000", "<1@lb1>");
  CHECK(text ==
        "From: vigil@lb1\r\n"
        "To: ops@example.com, noc@example.com\r\n"
        "Subject: state  Bcc: x\r\n"  // no header injection
        "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
        "Message-ID: <1@lb1>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "one\r\n"
        "two\r\n");
}

TEST_CASE("dot_stuff doubles leading dots and terminates the data") {
  CHECK(dot_stuff("a\r\n.b\r\n..\r\n") == "a\r\n..b\r\n...\r\n.\r\n");
  CHECK(dot_stuff(".\r\n") == "..\r\n.\r\n");
  CHECK(dot_stuff("no end") == "no end\r\n.\r\n");
  CHECK(dot_stuff("") == ".\r\n");
  CHECK(dot_stuff("a.b\r\n") == "a.b\r\n.\r\n");  // only at a line start
}
