"""Returned mail in the shapes real servers send, written for these tests (no real message is copied here).

Each is a template: ``{to}`` is the address the report was sent to (the VERP envelope sender, or a plain
bounce address), ``{rcpt}`` the subscriber's address, ``{token}`` a List-Unsubscribe token.  The shapes
follow the formats each server is known for: Postfix and Gmail send RFC 3464 reports, Exchange's NDR
carries its own status in Diagnostic-Code, Exim and Yahoo send plain text, ARF complaints quote the
original headers.
"""

from __future__ import annotations

POSTFIX_USER_UNKNOWN = """\
Return-Path: <>
Delivered-To: {to}
Received: by mail.tips.example.org (Postfix) id 4N1x2y3z; Mon, 23 Nov 2026 09:14:02 +0000 (UTC)
Date: Mon, 23 Nov 2026 09:14:02 +0000 (UTC)
From: MAILER-DAEMON@mail.tips.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="4N1x2y3z.1700000000/mail.tips.example.org"
Message-Id: <20261123091402.4N1x2y3z@mail.tips.example.org>

This is a MIME-encapsulated message.

--4N1x2y3z.1700000000/mail.tips.example.org
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.tips.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{rcpt}>: host mx.example.org[192.0.2.10] said: 550 5.1.1 <{rcpt}>:
    Recipient address rejected: User unknown in virtual mailbox table (in
    reply to RCPT TO command)

--4N1x2y3z.1700000000/mail.tips.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.tips.example.org
X-Postfix-Queue-ID: 4N1x2y3z
X-Postfix-Sender: rfc822; {to}
Arrival-Date: Mon, 23 Nov 2026 09:14:01 +0000 (UTC)

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User
    unknown in virtual mailbox table

--4N1x2y3z.1700000000/mail.tips.example.org
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <{to}>
From: Test Tips <tips@tips.example.org>
To: {rcpt}
Subject: Test Tips: Box office tip (+1 more)
Message-ID: <2026-W46.aaaa@tips.example.org>

--4N1x2y3z.1700000000/mail.tips.example.org--
"""

POSTFIX_DELAYED = """\
Return-Path: <>
Delivered-To: {to}
Date: Mon, 23 Nov 2026 13:00:00 +0000 (UTC)
From: MAILER-DAEMON@mail.tips.example.org (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: {to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="delay.b0und"
Message-Id: <20261123130000.DELAY1@mail.tips.example.org>

--delay.b0und
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.tips.example.org.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

Your message could not be delivered for more than 4 hour(s).
It will be retried until it is 5 day(s) old.

--delay.b0und
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.tips.example.org

Final-Recipient: rfc822; {rcpt}
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.10]:25: Connection timed out

--delay.b0und--
"""

GMAIL_NO_SUCH_ACCOUNT = """\
Delivered-To: {to}
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {to}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
Message-ID: <6560d2f1.gmail-dsn-0001@mx.google.com>
Date: Tue, 24 Nov 2026 08:01:11 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000gmail1"; report-type=delivery-status

--000000000000gmail1
Content-Type: multipart/related; boundary="000000000000gmail2"

--000000000000gmail2
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to {rcpt} because the address couldn't be found, or is
unable to receive mail.

The response from the remote server was:
550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the
recipient's email address for typos or unnecessary spaces.

--000000000000gmail2--

--000000000000gmail1
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; mail.tips.example.org
Arrival-Date: Tue, 24 Nov 2026 08:01:10 -0800 (PST)

Final-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2a00:1450:400c:c0b::1b, the server for the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try
 550-5.1.1 double-checking the recipient's email address for typos or
 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser
Last-Attempt-Date: Tue, 24 Nov 2026 08:01:11 -0800 (PST)

--000000000000gmail1--
"""

EXCHANGE_NOT_FOUND = """\
Delivered-To: {to}
From: postmaster@outlook.example.com
To: {to}
Date: Wed, 25 Nov 2026 10:20:30 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="b1_exchange_ndr"
Subject: Undeliverable: Test Tips: Box office tip (+1 more)
Message-ID: <a1b2c3d4-exchange-ndr@outlook.example.com>
Auto-Submitted: auto-replied

--b1_exchange_ndr
Content-Type: text/plain; charset="us-ascii"

Your message to {rcpt} couldn't be delivered.
{rcpt} wasn't found at outlook.example.com.

--b1_exchange_ndr
Content-Type: message/delivery-status

Reporting-MTA: dns;DB8PR00MB0000.eurprd00.prod.outlook.example.com
Received-From-MTA: dns;mail.tips.example.org
Arrival-Date: Wed, 25 Nov 2026 10:20:29 +0000

Final-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient {rcpt} not found by SMTP address lookup

--b1_exchange_ndr
Content-Type: message/rfc822

Return-Path: <{to}>
From: Test Tips <tips@tips.example.org>
To: {rcpt}
Subject: Test Tips: Box office tip (+1 more)

(body omitted)

--b1_exchange_ndr--
"""

MAILBOX_FULL_DSN = """\
Delivered-To: {to}
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: {to}
Date: Thu, 26 Nov 2026 07:00:00 +0000
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="full.b0und"
Message-Id: <20261126070000.FULL1@mx.example.net>

--full.b0und
Content-Type: text/plain

The recipient's mailbox is full.

--full.b0und
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

--full.b0und--
"""

POLICY_REFUSAL_DSN = """\
Delivered-To: {to}
From: MAILER-DAEMON@mail.tips.example.org (Mail Delivery System)
To: {to}
Date: Thu, 26 Nov 2026 08:00:00 +0000
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="policy.b0und"
Message-Id: <20261126080000.POLICY1@mail.tips.example.org>

--policy.b0und
Content-Type: text/plain

The receiving server refused the message on policy grounds.

--policy.b0und
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.tips.example.org

Final-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.7.1
Diagnostic-Code: smtp; 550 5.7.1 Message rejected due to DMARC policy of tips.example.org

--policy.b0und--
"""

EXIM_PLAIN = """\
Delivered-To: {to}
Return-path: <>
Received: from Debian-exim by mx.example.net with local (Exim 4.96) id 1vXyZa-000Abc-Zz for {to};
    Fri, 27 Nov 2026 06:30:00 +0000
X-Failed-Recipients: {rcpt}
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: {to}
Content-Type: text/plain; charset=us-ascii
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1vXyZa-000Abc-Zz@mx.example.net>
Date: Fri, 27 Nov 2026 06:30:00 +0000

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {rcpt}
    host mx2.example.net [198.51.100.7]
    SMTP error from remote mail server after RCPT TO:<{rcpt}>:
    550 5.1.1 No such user here

------ This is a copy of the message, including all the headers. ------

Return-path: <{to}>
From: Test Tips <tips@tips.example.org>
To: {rcpt}
Subject: Test Tips: Box office tip (+1 more)

The digest text.
"""

YAHOO_PLAIN = """\
Delivered-To: {to}
From: MAILER-DAEMON@yahoo.example.com
To: {to}
Subject: Failure Notice
Date: Sat, 28 Nov 2026 11:11:11 +0000
Message-ID: <yahoo-failure-0001@yahoo.example.com>
Content-Type: text/plain; charset=us-ascii

Sorry, we were unable to deliver your message to the following address.

<{rcpt}>:
554: delivery error: dd This user doesn't have a yahoo.example.com account ({rcpt}) [0] - mta1.mail.example

--- Below this line is a copy of the message.

Return-Path: <{to}>
Subject: Test Tips: Box office tip (+1 more)
"""

ARF_COMPLAINT = """\
Delivered-To: {to}
From: feedback@fbl.mail.example.com
To: {to}
Subject: FW: Test Tips: Box office tip (+1 more)
Date: Sun, 29 Nov 2026 12:00:00 +0000
Message-ID: <arf-0001@fbl.mail.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf_b0und"

--arf_b0und
Content-Type: text/plain; charset="US-ASCII"

This is an email abuse report for an email message received from IP 203.0.113.5 on
Sun, 29 Nov 2026 11:58:00 +0000.

--arf_b0und
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ExampleFBL/1.0
Version: 1
Original-Mail-From: <{to}>
Arrival-Date: Sun, 29 Nov 2026 11:58:00 +0000
Source-IP: 203.0.113.5
Reported-Domain: tips.example.org

--arf_b0und
Content-Type: text/rfc822-headers

Return-Path: <{to}>
From: Test Tips <tips@tips.example.org>
To: redacted@mail.example.com
Subject: Test Tips: Box office tip (+1 more)
List-Unsubscribe: <https://tips.example.org/unsubscribe/?token={token}>, <mailto:unsubscribe@tips.example.org>

--arf_b0und--
"""

AUTO_REPLY = """\
Delivered-To: {to}
From: {rcpt}
To: {to}
Subject: Out of office: Test Tips: Box office tip (+1 more)
Date: Mon, 30 Nov 2026 09:00:00 +0000
Message-ID: <ooo-0001@example.org>
Auto-Submitted: auto-replied
Content-Type: text/plain

I am away until December 7 with limited access to email.
"""
