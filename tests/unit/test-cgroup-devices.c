/* Unit tests of the device rules (lib/runtime/cgroup-devices.c) and of the
 * generated eBPF device program (cgroup-devices-bpf.c): the exact
 * instruction stream for small rule sets, and the program's decisions, run
 * through a small interpreter of the instructions it uses, against the v1
 * semantics of the same rules. Loading it for real is an integration test
 * (tests/integration/cgroups.bats). */
#include "test-cgroup-util.h"

#define I(c, d, s, o, i)                                                                           \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static struct oci_resources *rules(const char *json)
{
	char buf[2048];
	snprintf(buf, sizeof(buf), "{'devices': %s}", json);
	return fake_res(buf);
}

static void emulate(const char *json, struct cgroup_dev_state *st)
{
	struct oci_resources *r = rules(json);
	struct berth_error *err = NULL;
	if (cgroup_devices_emulate(r->devices, r->n_devices, st, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	oci_resources_free(r);
}

static void test_emulate(void **state)
{
	(void)state;
	struct cgroup_dev_state st;
	emulate("[]", &st);
	assert_false(st.default_allow);
	assert_int_equal(st.n, 0);
	cgroup_dev_state_release(&st);
	emulate("[{'allow': true, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'r'},"
		" {'allow': true, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'w'},"
		" {'allow': true, 'type': 'b', 'access': 'm'},"
		" {'allow': false, 'type': 'b', 'access': 'm'}]",
		&st);
	assert_false(st.default_allow);
	assert_int_equal(st.n, 1);
	assert_int_equal(st.ex[0].type, 'c');
	assert_int_equal(st.ex[0].access, CG_DEV_R | CG_DEV_W);
	cgroup_dev_state_release(&st);
	/* allow-all then deny: a blacklist */
	emulate("[{'allow': false, 'type': 'c', 'major': 9}, {'allow': true},"
		" {'allow': false, 'type': 'c', 'major': 1, 'minor': 7, 'access': 'rw'}]",
		&st);
	assert_true(st.default_allow);
	assert_int_equal(st.n, 1);
	assert_int_equal(st.ex[0].minor, 7);
	cgroup_dev_state_release(&st);
}

static void test_program_exact(void **state)
{
	(void)state;
	struct cgroup_dev_state st;
	size_t n;
	/* allow everything: prologue, return 1 */
	emulate("[{'allow': true}]", &st);
	struct bpf_insn *p = cgroup_bpf_devices_program(&st, &n);
	const struct bpf_insn prologue[] = {
	    I(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0), I(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff),
	    I(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0), I(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16),
	    I(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0), I(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0)};
	const struct bpf_insn allow_all[] = {I(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 1),
					     I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
	assert_int_equal(n, 8);
	assert_memory_equal(p, prologue, sizeof(prologue));
	assert_memory_equal(p + 6, allow_all, sizeof(allow_all));
	free(p);
	cgroup_dev_state_release(&st);

	/* deny all but c 1:3 rwm and block 8:* read */
	emulate("[{'allow': false}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 3},"
		" {'allow': true, 'type': 'b', 'major': 8, 'access': 'r'}]",
		&st);
	p = cgroup_bpf_devices_program(&st, &n);
	const struct bpf_insn body[] = {
	    /* block 1: c 1:3 rwm (no access check) */
	    I(BPF_JMP32 | BPF_JNE | BPF_K, 2, 0, 4, BPF_DEVCG_DEV_CHAR),
	    I(BPF_JMP32 | BPF_JNE | BPF_K, 4, 0, 3, 1),
	    I(BPF_JMP32 | BPF_JNE | BPF_K, 5, 0, 2, 3),
	    I(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 1),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	    /* block 2: b 8:* r */
	    I(BPF_JMP32 | BPF_JNE | BPF_K, 2, 0, 6, BPF_DEVCG_DEV_BLOCK),
	    I(BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0),
	    I(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, BPF_DEVCG_ACC_READ),
	    I(BPF_JMP32 | BPF_JNE | BPF_X, 1, 3, 3, 0),
	    I(BPF_JMP32 | BPF_JNE | BPF_K, 4, 0, 2, 8),
	    I(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 1),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	    /* default: deny */
	    I(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 0),
	    I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	assert_int_equal(n, 6 + ARRAY_SIZE(body));
	assert_memory_equal(p, prologue, sizeof(prologue));
	for (size_t i = 0; i < ARRAY_SIZE(body); i++)
		if (memcmp(&p[6 + i], &body[i], sizeof(body[i])) != 0)
			fail_msg("instruction %zu: code %#x dst %d src %d off %d imm %d", 6 + i,
				 p[6 + i].code, p[6 + i].dst_reg, p[6 + i].src_reg, p[6 + i].off,
				 p[6 + i].imm);
	free(p);
	cgroup_dev_state_release(&st);
}

/* Run the program on one access (the subset of eBPF the generator emits). */
static int run(const struct bpf_insn *p, size_t n, int type, unsigned access, uint32_t major,
	       uint32_t minor)
{
	uint32_t ctx[3] = {(uint32_t)type | (access << 16), major, minor};
	uint64_t r[11] = {0};
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *x = &p[pc];
		uint64_t src = (BPF_SRC(x->code) == BPF_X) ? r[x->src_reg] : (uint32_t)x->imm;
		switch (x->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(x->src_reg, 1);
			r[x->dst_reg] = ctx[x->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			r[x->dst_reg] = (uint32_t)(r[x->dst_reg] & src);
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[x->dst_reg] = (uint32_t)r[x->dst_reg] >> src;
			break;
		case BPF_ALU | BPF_MOV | BPF_K:
		case BPF_ALU | BPF_MOV | BPF_X:
			r[x->dst_reg] = (uint32_t)src;
			break;
		case BPF_JMP32 | BPF_JNE | BPF_K:
		case BPF_JMP32 | BPF_JNE | BPF_X:
		case BPF_JMP32 | BPF_JEQ | BPF_K:
			if (((uint32_t)r[x->dst_reg] != (uint32_t)src) ==
			    (BPF_OP(x->code) == BPF_JNE)) {
				pc += (size_t)x->off;
				assert_true(pc < n);
			}
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			fail_msg("unexpected instruction %#x at %zu", x->code, pc);
		}
	}
	fail_msg("program ran off its end");
	return -1;
}

struct probe {
	int type;
	unsigned access;
	uint32_t major, minor;
	int want;
};

static void check_program(const char *json, const struct probe *probes, size_t np)
{
	struct cgroup_dev_state st;
	emulate(json, &st);
	size_t n;
	struct bpf_insn *p = cgroup_bpf_devices_program(&st, &n);
	for (size_t i = 0; i < np; i++) {
		int got =
		    run(p, n, probes[i].type, probes[i].access, probes[i].major, probes[i].minor);
		if (got != probes[i].want)
			fail_msg("%s: type %d access %u %u:%u: got %d, want %d", json,
				 probes[i].type, probes[i].access, probes[i].major, probes[i].minor,
				 got, probes[i].want);
	}
	free(p);
	cgroup_dev_state_release(&st);
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_program_decisions(void **state)
{
	(void)state;
	/* a runc-like whitelist */
	struct oci_resources *r = rules("[{'allow': false, 'access': 'rwm'},"
					" {'allow': true, 'type': 'c', 'major': 1, 'minor': 5,"
					"  'access': 'r'}]");
	oci_resources_add_default_devices(r, NULL, 0);
	struct cgroup_dev_state st;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_devices_emulate(r->devices, r->n_devices, &st, &err), 0);
	oci_resources_free(r);
	size_t n;
	struct bpf_insn *p = cgroup_bpf_devices_program(&st, &n);
	const struct probe wl[] = {
	    {CHR, R | W, 1, 3, 1},   /* /dev/null rw */
	    {CHR, R | W, 1, 5, 1},   /* /dev/zero: the default rwm rule wins */
	    {CHR, M, 8, 1, 1},	     /* mknod of anything */
	    {BLK, M, 8, 0, 1},	     /* mknod of block devices */
	    {BLK, R, 8, 0, 0},	     /* but not opening them */
	    {CHR, R, 10, 229, 0},    /* /dev/fuse: not listed */
	    {CHR, R | W, 136, 4, 1}, /* /dev/pts/4 */
	    {CHR, R, 1, 7, 1},	     /* /dev/full */
	    {CHR, R, 4, 1, 0},	     /* tty1 */
	};
	for (size_t i = 0; i < ARRAY_SIZE(wl); i++)
		if (run(p, n, wl[i].type, wl[i].access, wl[i].major, wl[i].minor) != wl[i].want)
			fail_msg("whitelist probe %zu", i);
	free(p);
	cgroup_dev_state_release(&st);

	/* partial access: c 1:5 r only */
	const struct probe ro[] = {{CHR, R, 1, 5, 1}, {CHR, W, 1, 5, 0}, {CHR, R | W, 1, 5, 0},
				   {CHR, M, 1, 5, 0}, {BLK, R, 1, 5, 0}, {CHR, R, 1, 6, 0}};
	check_program("[{'allow': true, 'type': 'c', 'major': 1, 'minor': 5, 'access': 'r'}]", ro,
		      ARRAY_SIZE(ro));
	/* a blacklist: everything but writes to /dev/full and any block device */
	const struct probe bl[] = {{CHR, R, 1, 7, 1}, {CHR, W, 1, 7, 0},   {CHR, R | W, 1, 7, 0},
				   {BLK, R, 8, 0, 0}, {BLK, M, 259, 1, 0}, {CHR, R | W, 4, 0, 1}};
	check_program("[{'allow': true}, {'allow': false, 'type': 'c', 'major': 1, 'minor': 7,"
		      " 'access': 'w'}, {'allow': false, 'type': 'b'}]",
		      bl, ARRAY_SIZE(bl));
	/* big major/minor numbers compare as 32-bit values */
	const struct probe big[] = {{CHR, R, 4095, 1048575, 1}, {CHR, R, 4095, 1048574, 0}};
	check_program("[{'allow': true, 'type': 'c', 'major': 4095, 'minor': 1048575}]", big,
		      ARRAY_SIZE(big));
}

/* The same rules through the v1 files and the eBPF program agree. */
static void test_v1_v2_agree(void **state)
{
	(void)state;
	struct fake *f1 = fake_new(FAKE_V1, "/"), *f2 = fake_new(FAKE_V2, "/");
	const char *res = "{'devices': [{'allow': false}, {'allow': true, 'type': 'c', 'major': 1,"
			  " 'minor': 3}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 9,"
			  " 'access': 'rw'}]}";
	struct cgroup *c1 = fake_cgroup(f1, "/c", NULL), *c2 = fake_cgroup(f2, "/c", NULL);
	fake_clear_log(f1);
	fake_apply(c1, res);
	fake_apply(c2, res);
	EXPECT_WRITES(f1, "devices/c/devices.deny=a", "devices/c/devices.allow=c 1:3 rwm",
		      "devices/c/devices.allow=c 1:9 rw");
	/* the program allows exactly the listed accesses */
	assert_int_equal(run(f2->prog, f2->nprog, CHR, R | W, 1, 3), 1);
	assert_int_equal(run(f2->prog, f2->nprog, CHR, M, 1, 3), 1);
	assert_int_equal(run(f2->prog, f2->nprog, CHR, R | W, 1, 9), 1);
	assert_int_equal(run(f2->prog, f2->nprog, CHR, M, 1, 9), 0);
	assert_int_equal(run(f2->prog, f2->nprog, CHR, R, 1, 5), 0);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(c1, &err), 0);
	assert_int_equal(cgroup_destroy(c2, &err), 0);
	cgroup_free(c1);
	cgroup_free(c2);
	fake_free(f1);
	fake_free(f2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_emulate),
	    cmocka_unit_test(test_program_exact),
	    cmocka_unit_test(test_program_decisions),
	    cmocka_unit_test(test_v1_v2_agree),
	};
	return tu_run("cgroup-devices", tests, ARRAY_SIZE(tests));
}
