#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The Python program bcc-execcount descends from (the "Dumb Version"), written from its README:
# execve() calls per user in a BPF_HASH, incremented in the kernel with a lookup and a plain
# `*counter += 1`, printed every 5 seconds until Ctrl-C. A peer in bench/run.py, kept as it was;
# the one addition is the `else` branch, for kernels without kprobes (the syscall tracepoint).
#
# Run it with Debian's /usr/bin/python3, which has python3-bpfcc (the bcc module).
import os
from time import sleep

from bcc import BPF

program = BPF(text=r"""
BPF_HASH(counter_table, unsigned int, unsigned int, 1024);

int execve_monitor(void *ctx) {
    unsigned int user_id = 0;
    unsigned int USER_ID_MASK = 0xFFFFFFF;
    unsigned int *counter;
    unsigned int one = 1;

    user_id = bpf_get_current_uid_gid() & USER_ID_MASK;
    counter = counter_table.lookup(&user_id);
    if (counter == NULL)
        counter_table.insert(&user_id, &one);
    else
        *counter += 1;
    return 0;
}
""")
if os.path.exists("/sys/bus/event_source/devices/kprobe"):
    program.attach_kprobe(event=program.get_syscall_fnname("execve"), fn_name="execve_monitor")
else:  # not in the original: a kernel without kprobes gets the syscall tracepoint
    program.attach_tracepoint(tp="syscalls:sys_enter_execve", fn_name="execve_monitor")
map = program.get_table("counter_table")
print("Run! Hit CTRL + C to stop eBPF script")
while True:
    try:
        sleep(5)
        s = ""
        for k, v in map.items():
            s += f"User ID {k.value} has invoked {v.value} times execve syscall!\t"
        print(s)
    except KeyboardInterrupt:
        break
