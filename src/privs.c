// SPDX-License-Identifier: GPL-2.0
#include "privs.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int privileges_drop(bool keep_dac_override)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	int last = CAP_BPF;

	/* the bounding set first: dropping from it needs CAP_SETPCAP, which goes next */
	while (prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
		last++;
	for (int cap = 0; cap <= last; cap++) {
		if (cap == CAP_BPF || (keep_dac_override && cap == CAP_DAC_OVERRIDE))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			log_verbose("cannot drop capability %d from the bounding set: %s", cap,
				    strerror(errno));
			break;
		}
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

	data[CAP_TO_INDEX(CAP_BPF)].effective |= CAP_TO_MASK(CAP_BPF);
	if (keep_dac_override)
		data[CAP_TO_INDEX(CAP_DAC_OVERRIDE)].effective |= CAP_TO_MASK(CAP_DAC_OVERRIDE);
	for (int i = 0; i < 2; i++)
		data[i].permitted = data[i].effective;
	if (syscall(SYS_capset, &hdr, data)) {
		int err = -errno;

		log_msg("cannot drop capabilities: %s", strerror(-err));
		return err;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	log_verbose("capabilities dropped: only CAP_BPF%s remains",
		    keep_dac_override ? " and CAP_DAC_OVERRIDE" : "");
	return 0;
}
