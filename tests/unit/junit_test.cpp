// JUnit XML: well-formed, valid against the common JUnit schema (the one
// Jenkins, GitLab and GitHub's test reporters accept: testsuites/testsuite with
// tests/failures/errors/skipped/time counts), escaped, hidden tests redacted.
//
// Parsing and XSD validation use libxml2 (Debian: libxml2-dev) when the unit
// tests are linked with it (CMake defines CONCLAB_HAVE_LIBXML2), otherwise
// xmllint (Debian: libxml2-utils) — both from the same Debian source package.
#include <cstdint>

#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

#include "conclab/report.hpp"
#include "sample_result.hpp"

#if defined(CONCLAB_HAVE_LIBXML2)
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#endif

namespace conclab {
namespace {

// The common JUnit XML schema (after Jenkins' junit-10.xsd), made strict on
// what CI tools read: the counts and time on testsuites/testsuite, name and
// classname on testcase.
const char* kJunitXsd = R"XSD(<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:simpleType name="SUREFIRE_TIME">
    <xs:restriction base="xs:string">
      <xs:pattern value="(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]{0,3})?"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="problem" mixed="true">
    <xs:attribute name="message" type="xs:string"/>
    <xs:attribute name="type" type="xs:string"/>
  </xs:complexType>
  <xs:element name="properties">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="property" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:attribute name="name" type="xs:string" use="required"/>
            <xs:attribute name="value" type="xs:string" use="required"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:element name="testcase">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="skipped" type="problem" minOccurs="0"/>
        <xs:element name="error" type="problem" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="failure" type="problem" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="system-out" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="system-err" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="classname" type="xs:string" use="required"/>
      <xs:attribute name="assertions" type="xs:string"/>
      <xs:attribute name="time" type="SUREFIRE_TIME"/>
      <xs:attribute name="status" type="xs:string"/>
      <xs:attribute name="file" type="xs:string"/>
      <xs:attribute name="line" type="xs:nonNegativeInteger"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="properties" minOccurs="0"/>
        <xs:element ref="testcase" minOccurs="0" maxOccurs="unbounded"/>
        <xs:element name="system-out" type="xs:string" minOccurs="0"/>
        <xs:element name="system-err" type="xs:string" minOccurs="0"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="skipped" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="disabled" type="xs:nonNegativeInteger"/>
      <xs:attribute name="time" type="SUREFIRE_TIME" use="required"/>
      <xs:attribute name="timestamp" type="xs:string"/>
      <xs:attribute name="hostname" type="xs:string"/>
      <xs:attribute name="id" type="xs:string"/>
      <xs:attribute name="package" type="xs:string"/>
      <xs:attribute name="file" type="xs:string"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="skipped" type="xs:nonNegativeInteger"/>
      <xs:attribute name="disabled" type="xs:nonNegativeInteger"/>
      <xs:attribute name="time" type="SUREFIRE_TIME"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
)XSD";

#if defined(CONCLAB_HAVE_LIBXML2)

extern "C" void collect_xml_error(void* ctx, const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    *static_cast<std::string*>(ctx) += buf;
}

struct Xml {
    std::string errors;
    xmlDocPtr doc = nullptr;
    explicit Xml(const std::string& text) {
        xmlSetGenericErrorFunc(&errors, collect_xml_error);
        doc = xmlReadMemory(text.data(), int(text.size()), "report.xml", "UTF-8", XML_PARSE_NONET);
    }
    ~Xml() {
        if (doc) xmlFreeDoc(doc);
        xmlSetGenericErrorFunc(nullptr, nullptr);
    }
};

// "" if valid, else libxml2's messages.
std::string validate(const std::string& xml) {
    Xml x(xml);
    if (!x.doc) return "not well-formed: " + x.errors;
    std::string errors;
    auto* pctx = xmlSchemaNewMemParserCtxt(kJunitXsd, int(std::strlen(kJunitXsd)));
    auto* schema = xmlSchemaParse(pctx);
    if (!schema) return "schema does not parse";
    auto* vctx = xmlSchemaNewValidCtxt(schema);
    int rc = xmlSchemaValidateDoc(vctx, x.doc);
    xmlSchemaFreeValidCtxt(vctx);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pctx);
    return rc == 0 ? "" : "invalid (" + std::to_string(rc) + "): " + x.errors;
}

// The string value of an XPath expression (count(), string(), ...).
std::string xpath(const std::string& xml, const std::string& expr) {
    Xml x(xml);
    if (!x.doc) return "<not well-formed>";
    auto* ctx = xmlXPathNewContext(x.doc);
    auto* obj = xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(expr.c_str()), ctx);
    std::string out = "<xpath error>";
    if (obj) {
        xmlChar* s = xmlXPathCastToString(obj);
        out = reinterpret_cast<const char*>(s);
        xmlFree(s);
        xmlXPathFreeObject(obj);
    }
    xmlXPathFreeContext(ctx);
    return out;
}

#else  // xmllint

struct TempFile {
    std::filesystem::path path;
    explicit TempFile(const std::string& content, const char* suffix) {
        char tmpl[] = "/tmp/conclab-junit-XXXXXX";
        int fd = mkstemp(tmpl);
        if (fd < 0) throw std::runtime_error("mkstemp");
        ::close(fd);
        path = std::string(tmpl) + suffix;
        std::filesystem::rename(tmpl, path);
        std::ofstream(path, std::ios::binary) << content;
    }
    ~TempFile() { std::filesystem::remove(path); }
};

std::pair<int, std::string> shell(const std::string& cmd) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return {-1, "popen failed"};
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

std::string validate(const std::string& xml) {
    if (shell("command -v xmllint").first != 0)
        return "xmllint not found: install libxml2-utils (ci/setup.sh) or link libxml2";
    TempFile x(xml, ".xml"), xsd(kJunitXsd, ".xsd");
    auto [rc, out] = shell("xmllint --noout --nonet --schema " + xsd.path.string() + " " + x.path.string());
    return rc == 0 ? "" : out;
}

std::string xpath(const std::string& xml, const std::string& expr) {
    TempFile x(xml, ".xml");
    std::string quoted = "'";
    for (char c : expr) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    auto [rc, out] = shell("xmllint --nonet --xpath " + quoted + " " + x.path.string());
    if (rc != 0) return "<xpath error: " + out + ">";
    if (!out.empty() && out.back() == '\n') out.pop_back();   // xmllint ends the value with a newline
    return out;
}

#endif

TEST(JunitReport, ValidAgainstTheJunitSchema) {
    auto xml = to_junit(testing::sample_result());
    EXPECT_EQ(validate(xml), "") << xml;
}

TEST(JunitReport, TheSchemaRejectsWhatItShould) {
    // guards against a validator that accepts anything
    EXPECT_NE(validate("<testsuites><oops/></testsuites>"), "");
    EXPECT_NE(validate("<testsuites tests=\"1\" failures=\"0\" errors=\"0\"><testsuite name=\"x\"/></testsuites>"), "");
    EXPECT_NE(validate("<testsuites"), "");
}

TEST(JunitReport, OneTestcasePerTestWithCounts) {
    auto xml = to_junit(testing::sample_result());
    EXPECT_EQ(xpath(xml, "count(/testsuites/testsuite)"), "3");
    EXPECT_EQ(xpath(xml, "count(//testcase)"), "7");
    EXPECT_EQ(xpath(xml, "string(/testsuites/@tests)"), "7");
    EXPECT_EQ(xpath(xml, "string(/testsuites/@failures)"), "4");
    EXPECT_EQ(xpath(xml, "string(/testsuites/@errors)"), "0");
    EXPECT_EQ(xpath(xml, "string(/testsuites/testsuite[@name='counter']/@tests)"), "5");
    EXPECT_EQ(xpath(xml, "string(/testsuites/testsuite[@name='counter']/@failures)"), "3");
    EXPECT_EQ(xpath(xml, "count(//testcase[@classname='counter'])"), "5");
    EXPECT_EQ(xpath(xml, "count(//testcase/failure)"), "4");
    EXPECT_EQ(xpath(xml, "string(//testcase[@name='ticket_office_never_oversells']/failure/@type)"), "timeout");
    // the failure names the student's file and line
    auto body = xpath(xml, "string(//testcase[@name='increments_are_not_lost']/failure)");
    EXPECT_NE(body.find("exercises/counter/counter.cpp:14: data race"), std::string::npos) << body;
    EXPECT_EQ(xpath(xml, "string(//testcase[@name='increments_are_not_lost']/failure/@message)"),
              "ThreadSanitizer found a data race");
    EXPECT_EQ(xpath(xml, "count(//testcase[@name='single_thread_counts']/*)"), "0");
}

TEST(JunitReport, GraderErrorsAreErrorElements) {
    auto r = testing::sample_result();
    r.exercises[2].tests[0].status = Status::error;
    r.exercises[2].tests[0].message = "sandbox could not start the program";
    auto xml = to_junit(r);
    EXPECT_EQ(validate(xml), "") << xml;
    EXPECT_EQ(xpath(xml, "string(/testsuites/@errors)"), "1");
    EXPECT_EQ(xpath(xml, "string(/testsuites/testsuite[@name='round_robin']/@errors)"), "1");
    EXPECT_EQ(xpath(xml, "string(//testcase[@name='log_is_exact']/error/@message)"),
              "sandbox could not start the program");
}

TEST(JunitReport, EscapesStudentOutputIncludingControlCharacters) {
    auto r = testing::sample_result();
    auto& t = r.exercises[0].tests[1];
    t.message = "<b>&\"quoted\"</b> ]]> 'x'\x01\x02\x1b[31m\x7f";
    t.output = std::string("nul\0byte \xff\xfe invalid utf8 \xe2\x82 cut", 32) + " \xef\xbf\xbf noncharacter";
    t.findings[0].file = "exercises/counter/<odd>&name.cpp";
    r.exercises[0].name = "count\"er<&>";
    auto xml = to_junit(r);
    EXPECT_EQ(validate(xml), "") << xml;
    EXPECT_EQ(xpath(xml, "string(//testcase[@name='increments_are_not_lost']/failure/@message)"),
              "<b>&\"quoted\"</b> ]]> 'x'\\x01\\x02\\x1B[31m\x7f");
    EXPECT_EQ(xpath(xml, "count(//testcase[@classname='count\"er<&>'])"), "5");
    auto body = xpath(xml, "string(//testcase[@name='increments_are_not_lost']/failure)");
    EXPECT_NE(body.find("exercises/counter/<odd>&name.cpp:14"), std::string::npos) << body;
    EXPECT_NE(body.find("nul\\x00byte"), std::string::npos) << body;
}

TEST(JunitReport, HiddenTestsShowOnlyNameAndScore) {
    auto xml = to_junit(testing::sample_result());
    EXPECT_EQ(xml.find("SECRET"), std::string::npos) << xml;
    EXPECT_EQ(xpath(xml, "count(//testcase[@name='hidden_stress (hidden)']/failure)"), "1");
    EXPECT_EQ(xpath(xml, "string(//testcase[@name='hidden_stress (hidden)']/failure/@message)"),
              "hidden test failed (0 / 3)");
}

TEST(JunitReport, EmptyResultIsStillValid) {
    SubmissionResult r;
    auto xml = to_junit(r);
    EXPECT_EQ(validate(xml), "") << xml;
    EXPECT_EQ(xpath(xml, "string(/testsuites/@tests)"), "0");
}

TEST(JunitReport, NotSubmittedExerciseIsOneFailingTestcase) {
    SubmissionResult r;
    ExerciseResult e;
    e.name = "udp_chat";
    e.max_score = 15;
    e.message = "not submitted";
    r.exercises.push_back(e);
    auto xml = to_junit(r);
    EXPECT_EQ(validate(xml), "") << xml;
    EXPECT_EQ(xpath(xml, "count(//testcase[@classname='udp_chat']/failure)"), "1");
    EXPECT_EQ(xpath(xml, "string(//testcase[@classname='udp_chat']/failure/@message)"), "not submitted");
}

}  // namespace
}  // namespace conclab
