// SPDX-License-Identifier: GPL-2.0
#include "versions.h"

#include <errno.h>
#include <string.h>

int llvm_from_maps(FILE *maps, char *lib, size_t lib_len, char *major, size_t major_len)
{
	char line[4096];

	while (fgets(line, sizeof(line), maps)) {
		char *name = strrchr(line, '/');
		size_t n;

		if (!name || strncmp(name + 1, "libLLVM", 7) != 0)
			continue;
		name++;
		name[strcspn(name, " \n")] = '\0';
		snprintf(lib, lib_len, "%s", name);
		/* libLLVM-14.so.1, libLLVM.so.19.1 */
		name += strcspn(name, "0123456789");
		n = strspn(name, "0123456789");
		if (n == 0 || n >= major_len)
			return -ENOENT;
		memcpy(major, name, n);
		major[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

int llvm_describe(char *buf, size_t len)
{
	char lib[256], major[16];
	FILE *maps = fopen("/proc/self/maps", "r");
	int err = maps ? llvm_from_maps(maps, lib, sizeof(lib), major, sizeof(major)) : -errno;

	if (maps)
		fclose(maps);
	if (err)
		snprintf(buf, len, "not loaded");
	else
		snprintf(buf, len, "%s (%s)", major, lib);
	return err;
}
