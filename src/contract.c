// SPDX-License-Identifier: GPL-2.0
#include "contract.h"

#include <stddef.h>

/* clang-format 14 and 19 lay out a braced initializer as a macro's body differently */
// clang-format off
#define FIELD(type, member) { #member, offsetof(type, member), sizeof(((type *)0)->member) }
#define LAYOUT(type, fields) { fields, sizeof(fields) / sizeof(fields[0]), sizeof(type) }
// clang-format on

/* The values' fields, named as their members here and in the probe: one list of each. */
static const struct layout_field counts_value[] = {
	FIELD(struct contract_counts, execve_ok),
	FIELD(struct contract_counts, execve_failed),
	FIELD(struct contract_counts, execveat_ok),
	FIELD(struct contract_counts, execveat_failed),
};

static const struct layout_field stats_value[] = {
	FIELD(struct contract_stats, dropped),
};

static const struct layout_field self_value[] = {
	FIELD(struct contract_self, pidns_dev), FIELD(struct contract_self, pidns_ino),
	FIELD(struct contract_self, tgid),	FIELD(struct contract_self, global_tgid),
	FIELD(struct contract_self, entries),	FIELD(struct contract_self, exits),
};

void contract_layouts_init(struct contract_layouts *c, const struct key_layout *keys)
{
	/* BPF_ARRAY's key: the index, an int */
	const struct layout index = { NULL, 0, sizeof(uint32_t) };
	unsigned int n = 0;

	for (int i = 0; i < FIELD_COUNT_; i++) {
		enum key_field f = key_probe_order[i];

		if (keys->fields & 1u << f)
			c->key_fields[n++] =
				(struct layout_field){ key_field_name(f), keys->offset[f],
						       key_field(f)->size };
	}
	c->tables[CONTRACT_COUNTS] = (struct contract_table){
		.name = CONTRACT_COUNTS_TABLE,
		.key_struct = "struct execcount_key",
		.value_struct = "struct execcount_value",
		.key = { c->key_fields, n, keys->size },
		.value = LAYOUT(struct contract_counts, counts_value),
	};
	c->tables[CONTRACT_STATS] = (struct contract_table){
		.name = CONTRACT_STATS_TABLE,
		.key_struct = "int",
		.value_struct = "struct execcount_stats",
		.key = index,
		.value = LAYOUT(struct contract_stats, stats_value),
	};
	c->tables[CONTRACT_SELF] = (struct contract_table){
		.name = CONTRACT_SELF_TABLE,
		.key_struct = "int",
		.value_struct = "struct execcount_self",
		.key = index,
		.value = LAYOUT(struct contract_self, self_value),
	};
}
