/*
 * rulesjq -- libFuzzer target for rules_load_text: the rules target
 * (rules.c) with the jq compiles made, so about 200 inputs a second;
 * for short rounds.
 */
#define RULES_FUZZ_FLAGS	0
#include "rules.c"
