// The field-table machinery: choices by name, rules, formatting, copying and JSON.
#include "../support/expect_error.h"
#include "axtrain/util/field_json.h"
#include "axtrain/util/fields.h"

#include <gtest/gtest.h>

namespace axtrain {
namespace {

using test::expect_error;

enum class Colour { kRed, kDarkBlue };
constexpr std::array<std::string_view, 2> kColourNames = {"red", "dark-blue"};
constexpr std::span<const std::string_view> choice_names(Colour) {
  return kColourNames;
}

struct Paint {
  Colour colour = Colour::kRed;
  int coats = 1;
  double gloss = 0.5;
  std::string name = "wall";
};

const std::vector<Field<Paint>>& paint_fields() {
  static const std::vector<Field<Paint>> fields = {
      {"colour", &Paint::colour, "Colour"},
      {"coats", &Paint::coats, "Coats", FieldRule::at_least(1)},
      {"gloss", &Paint::gloss, "Gloss", FieldRule::between(0, 1)},
      {"name", &Paint::name, "Name"},
  };
  return fields;
}

TEST(Choice, NamesRoundTrip) {
  EXPECT_EQ(name_of(Colour::kDarkBlue), "dark-blue");
  EXPECT_EQ(choice_from_name<Colour>("dark-blue"), Colour::kDarkBlue);
  EXPECT_EQ(choice_from_name<Colour>("blue"), std::nullopt);
  EXPECT_EQ(choice_list<Colour>(), (StringList{"red", "dark-blue"}));
}

TEST(Choice, AFieldOfAChoiceHasTheOneOfRule) {
  const Field<Paint>& colour = paint_fields()[0];
  EXPECT_EQ(colour.rule.describe(), "one of red, dark-blue");
  EXPECT_EQ(field_type_name(colour), "string");
  Paint p;
  EXPECT_EQ(format_field(colour, p), "\"red\"");
  const auto ref = std::get<ChoiceRef>(colour.ref(p));
  set_choice(ref, "dark-blue", "colour", "--colour");
  EXPECT_EQ(p.colour, Colour::kDarkBlue);
  expect_error(
      [&] { set_choice(ref, "dark-bleu", "colour", "--colour"); },
      {"colour = \"dark-bleu\" is invalid", "one of red, dark-blue", "did you mean \"dark-blue\"", "--colour"});
  EXPECT_EQ(p.colour, Colour::kDarkBlue);  // unchanged by the failed set
}

TEST(Fields, CopyAndCheck) {
  Paint a, b;
  a.colour = Colour::kDarkBlue;
  a.coats = 3;
  for (const auto& field : paint_fields()) copy_field(field, a, b);
  EXPECT_EQ(b.colour, Colour::kDarkBlue);
  EXPECT_EQ(b.coats, 3);
  b.coats = 0;
  EXPECT_FALSE(satisfies(paint_fields()[1].rule, paint_fields()[1].ref(b)));
  expect_error([&] { check_value(paint_fields()[1].rule, "coats", "--coats", paint_fields()[1].ref(b)); },
               {"coats = 0 is invalid", ">= 1", "--coats"});
}

TEST(FieldJson, RoundTripAndStrictReading) {
  Paint p;
  p.colour = Colour::kDarkBlue;
  p.gloss = 0.25;
  const nlohmann::json j = fields_to_json(paint_fields(), p, "paint");
  EXPECT_EQ(j["colour"], "dark-blue");
  EXPECT_EQ(j["coats"], 1);
  Paint back;
  fields_from_json(paint_fields(), j, back, "paint");
  EXPECT_EQ(back.colour, Colour::kDarkBlue);
  EXPECT_EQ(back.gloss, 0.25);
  nlohmann::json bad = j;
  bad["colour"] = "green";
  expect_error([&] { fields_from_json(paint_fields(), bad, back, "paint"); }, {"paint field \"colour\"", "\"green\""});
  bad = j;
  bad["gloss"] = 2.0;
  expect_error([&] { fields_from_json(paint_fields(), bad, back, "paint"); }, {"gloss", "in [0, 1]"});
  bad = j;
  bad.erase("name");
  expect_error([&] { fields_from_json(paint_fields(), bad, back, "paint"); }, {"no field \"name\""});
  p.gloss = std::nan("");
  expect_error([&] { fields_to_json(paint_fields(), p, "paint"); }, {"gloss", "nan"});
}

}  // namespace
}  // namespace axtrain
