#include "net/smtp/dialogue.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace vigil::net::smtp;

namespace {

Reply reply(int code, std::string text = "ok") { return Reply{code, {std::move(text)}}; }

Dialogue make(std::vector<std::string> to = {"a@example.com", "b@example.com"}) {
  return Dialogue("lb1", "vigil@lb1", std::move(to), "Subject: x\r\n\r\n.hidden\r\n");
}

}  // namespace

TEST_CASE("a whole transaction: EHLO, MAIL, RCPT per recipient, DATA, dot-stuffed body, QUIT") {
  auto d = make();
  CHECK(d.on_reply(reply(220)) == "EHLO lb1\r\n");
  CHECK(d.on_reply(Reply{250, {"mx.example.com", "PIPELINING", "8BITMIME"}}) == "MAIL FROM:<vigil@lb1>\r\n");
  CHECK(d.on_reply(reply(250)) == "RCPT TO:<a@example.com>\r\n");
  CHECK(d.on_reply(reply(250)) == "RCPT TO:<b@example.com>\r\n");
  CHECK(d.on_reply(reply(251)) == "DATA\r\n");
  CHECK(d.on_reply(reply(354)) == "Subject: x\r\n\r\n..hidden\r\n.\r\n");
  CHECK_FALSE(d.delivered());
  CHECK(d.on_reply(reply(250)) == "QUIT\r\n");
  CHECK(d.delivered());
  CHECK(d.on_reply(reply(221)).empty());
  CHECK(d.finished());
  CHECK(d.failure().empty());
}

TEST_CASE("a server that does not know EHLO gets HELO") {
  auto d = make({"a@example.com"});
  (void)d.on_reply(reply(220));
  CHECK(d.on_reply(reply(502, "command not implemented")) == "HELO lb1\r\n");
  CHECK(d.on_reply(reply(250)) == "MAIL FROM:<vigil@lb1>\r\n");
}

TEST_CASE("a refused recipient is skipped, and all refused fails politely with QUIT") {
  auto d = make();
  (void)d.on_reply(reply(220));
  (void)d.on_reply(reply(250));
  (void)d.on_reply(reply(250));
  CHECK(d.on_reply(reply(550, "no such user")) == "RCPT TO:<b@example.com>\r\n");
  CHECK(d.on_reply(reply(250)) == "DATA\r\n");
  REQUIRE(d.refused().size() == 1);
  CHECK(d.refused()[0] == "a@example.com: 550 no such user");

  auto none = make({"a@example.com"});
  (void)none.on_reply(reply(220));
  (void)none.on_reply(reply(250));
  (void)none.on_reply(reply(250));
  CHECK(none.on_reply(reply(550, "no")) == "QUIT\r\n");
  CHECK(none.failure() == "every recipient was refused");
  CHECK(none.on_reply(reply(221)).empty());
  CHECK(none.finished());
  CHECK_FALSE(none.delivered());
}

TEST_CASE("any unexpected reply ends the transaction with the server's words") {
  auto greeting = make();
  CHECK(greeting.on_reply(reply(554, "go away")) == "QUIT\r\n");
  CHECK(greeting.failure() == "greeting: 554 go away");

  auto mail = make();
  (void)mail.on_reply(reply(220));
  (void)mail.on_reply(reply(250));
  CHECK(mail.on_reply(reply(451, "try later")) == "QUIT\r\n");
  CHECK(mail.failure() == "MAIL FROM <vigil@lb1>: 451 try later");

  auto body = make({"a@example.com"});
  for (int code : {220, 250, 250, 250, 354}) (void)body.on_reply(reply(code));
  CHECK(body.on_reply(reply(552, "too big")) == "QUIT\r\n");
  CHECK(body.failure() == "message refused: 552 too big");
  CHECK_FALSE(body.delivered());
}

TEST_CASE("ReplyReader joins continuation lines and waits for whole lines") {
  ReplyReader reader;
  reader.feed("250-mx.example.com\r\n250-PIPE");
  CHECK_FALSE(reader.next());
  reader.feed("LINING\r\n250 8BITMIME\r\n220 ");
  auto first = reader.next();
  REQUIRE(first);
  CHECK(first->code == 250);
  CHECK(first->lines == std::vector<std::string>{"mx.example.com", "PIPELINING", "8BITMIME"});
  CHECK_FALSE(reader.next());
  reader.feed("hi\n");
  auto second = reader.next();
  REQUIRE(second);
  CHECK(second->text() == "220 hi");
}

TEST_CASE("ReplyReader reports garbage as code 0 and bounds a line without end") {
  ReplyReader reader;
  reader.feed("HTTP/1.1 400 Bad Request\r\n");
  auto garbage = reader.next();
  REQUIRE(garbage);
  CHECK(garbage->code == 0);
  reader.feed(std::string(10000, 'x'));
  CHECK(reader.overflowed());
}
