/* elf.c: the check every compiled script passes before a runner loads it
 * (sandbox-design.md §7.2 step 12 A): loading a shared object may run its
 * initializers and IFUNC resolvers before any protection is up, so an
 * object with either is refused, as is one that asks for an executable
 * stack, extra libraries, search paths or audit modules, or lacks a
 * `slab_strategy` object of the ABI's size. Every offset read from the
 * file is bounds-checked: the compiler's output is hostile input too. */
#include "script/script_int.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#define IRELATIVE R_X86_64_IRELATIVE
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#define IRELATIVE R_AARCH64_IRELATIVE
#else
#error "add this machine's ELF constants"
#endif

typedef struct elf_view {
    const unsigned char *p;
    size_t n;
    const Elf64_Ehdr *eh;
    const Elf64_Phdr *ph;
    const Elf64_Shdr *sh;
} elf_view;

static int fits(const elf_view *v, uint64_t off, uint64_t size)
{
    return off <= v->n && size <= v->n - off;
}

/* File offset of a virtual address inside a PT_LOAD, or -1. */
static int64_t vaddr_off(const elf_view *v, uint64_t va, uint64_t size)
{
    for (int k = 0; k < v->eh->e_phnum; k++) {
        const Elf64_Phdr *p = &v->ph[k];
        if (p->p_type == PT_LOAD && va >= p->p_vaddr && va - p->p_vaddr <= p->p_filesz &&
            size <= p->p_filesz - (va - p->p_vaddr))
            return (int64_t)(p->p_offset + (va - p->p_vaddr));
    }
    return -1;
}

static int refuse(char *why, size_t cap, const char *msg)
{
    snprintf(why, cap, "%s", msg);
    return 0;
}

static int check_header(elf_view *v, char *why, size_t cap)
{
    if (v->n < sizeof(Elf64_Ehdr) || memcmp(v->p, ELFMAG, SELFMAG))
        return refuse(why, cap, "the compiler's output is not an ELF file");
    v->eh = (const Elf64_Ehdr *)v->p;
    if (v->p[EI_CLASS] != ELFCLASS64 || v->p[EI_DATA] != ELFDATA2LSB || v->eh->e_type != ET_DYN ||
        v->eh->e_machine != NATIVE_MACHINE)
        return refuse(why, cap, "the compiler's output is not a shared object for this machine");
    if (v->eh->e_phentsize != sizeof(Elf64_Phdr) ||
        !fits(v, v->eh->e_phoff, (uint64_t)v->eh->e_phnum * sizeof(Elf64_Phdr)) ||
        v->eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !fits(v, v->eh->e_shoff, (uint64_t)v->eh->e_shnum * sizeof(Elf64_Shdr)) ||
        v->eh->e_shnum == 0 || v->eh->e_phoff % 8 || v->eh->e_shoff % 8)
        return refuse(why, cap, "the compiled file's headers are malformed");
    v->ph = (const Elf64_Phdr *)(v->p + v->eh->e_phoff);
    v->sh = (const Elf64_Shdr *)(v->p + v->eh->e_shoff);
    return 1;
}

/* Checks the relocations at table va (size bytes) for IRELATIVE. */
static int no_irelative(const elf_view *v, uint64_t va, uint64_t size, char *why, size_t cap)
{
    int64_t off = size ? vaddr_off(v, va, size) : 0;
    if (off < 0 || off % 8)
        return refuse(why, cap, "the compiled file's relocation table is malformed");
    for (uint64_t k = 0; k < size / sizeof(Elf64_Rela); k++) {
        const Elf64_Rela *r = (const Elf64_Rela *)(v->p + off) + k;
        if (ELF64_R_TYPE(r->r_info) == IRELATIVE)
            return refuse(why, cap, "it uses IFUNC resolvers (code that runs while loading), "
                                    "which a script may not have");
    }
    return 1;
}

static int check_dynamic(const elf_view *v, char *why, size_t cap)
{
    const Elf64_Phdr *dyn = NULL;
    uint64_t rela = 0, relasz = 0, jmprel = 0, pltsz = 0;
    for (int k = 0; k < v->eh->e_phnum; k++) {
        if (v->ph[k].p_type == PT_GNU_STACK && (v->ph[k].p_flags & PF_X))
            return refuse(why, cap, "it needs an executable stack (a nested function?), which "
                                    "a script may not have");
        if (v->ph[k].p_type == PT_INTERP)
            return refuse(why, cap, "it is a program, not a shared object");
        if (v->ph[k].p_type == PT_DYNAMIC)
            dyn = &v->ph[k];
    }
    if (!dyn || !fits(v, dyn->p_offset, dyn->p_filesz) || dyn->p_offset % 8)
        return refuse(why, cap, "the compiled file has no dynamic section");
    const Elf64_Dyn *d = (const Elf64_Dyn *)(v->p + dyn->p_offset);
    for (uint64_t k = 0; k < dyn->p_filesz / sizeof *d && d[k].d_tag != DT_NULL; k++) {
        switch (d[k].d_tag) {
        case DT_INIT: case DT_FINI: case DT_PREINIT_ARRAY:
            return refuse(why, cap, "it has initializers or finalizers (code that runs while "
                                    "loading or unloading), which a script may not have");
        case DT_INIT_ARRAYSZ: case DT_FINI_ARRAYSZ:
            if (d[k].d_un.d_val)
                return refuse(why, cap, "it has constructors or destructors "
                                        "(__attribute__((constructor)) or .init_array), which a "
                                        "script may not have");
            break;
        case DT_RPATH: case DT_RUNPATH: case DT_AUDIT: case DT_DEPAUDIT:
            return refuse(why, cap, "it names library search paths or audit modules");
        case DT_RELA: rela = d[k].d_un.d_ptr; break;
        case DT_RELASZ: relasz = d[k].d_un.d_val; break;
        case DT_JMPREL: jmprel = d[k].d_un.d_ptr; break;
        case DT_PLTRELSZ: pltsz = d[k].d_un.d_val; break;
        default: break;
        }
    }
    return no_irelative(v, rela, relasz, why, cap) && no_irelative(v, jmprel, pltsz, why, cap);
}

/* Sections by name: constructor tables must be empty; dynsym is checked
 * for IFUNC symbols and the strategy. */
static int check_sections(const elf_view *v, char *why, size_t cap)
{
    static const char *const banned[] = {".init_array", ".fini_array", ".preinit_array",
                                         ".ctors", ".dtors", ".init", ".fini"};
    const Elf64_Shdr *shstr = v->eh->e_shstrndx < v->eh->e_shnum ? &v->sh[v->eh->e_shstrndx] : NULL;
    if (!shstr || !fits(v, shstr->sh_offset, shstr->sh_size) || shstr->sh_size == 0 ||
        v->p[shstr->sh_offset + shstr->sh_size - 1] != '\0')
        return refuse(why, cap, "the compiled file's section names are malformed");
    const char *names = (const char *)v->p + shstr->sh_offset;
    for (int k = 0; k < v->eh->e_shnum; k++) {
        if (v->sh[k].sh_name >= shstr->sh_size)
            return refuse(why, cap, "the compiled file's section names are malformed");
        for (size_t b = 0; b < sizeof banned / sizeof banned[0]; b++)
            if (!strcmp(names + v->sh[k].sh_name, banned[b]) && v->sh[k].sh_size)
                return refuse(why, cap, "it has constructors, destructors or an init section "
                                        "(code that runs while loading), which a script may "
                                        "not have");
    }
    return 1;
}

static int check_symbols(const elf_view *v, char *why, size_t cap)
{
    int found = 0;
    for (int k = 0; k < v->eh->e_shnum; k++) {
        const Elf64_Shdr *s = &v->sh[k];
        if (s->sh_type != SHT_DYNSYM)
            continue;
        if (s->sh_link >= v->eh->e_shnum || s->sh_entsize != sizeof(Elf64_Sym) ||
            !fits(v, s->sh_offset, s->sh_size) || s->sh_offset % 8)
            return refuse(why, cap, "the compiled file's symbol table is malformed");
        const Elf64_Shdr *st = &v->sh[s->sh_link];
        if (!fits(v, st->sh_offset, st->sh_size) || st->sh_size == 0 ||
            v->p[st->sh_offset + st->sh_size - 1] != '\0')
            return refuse(why, cap, "the compiled file's symbol names are malformed");
        const Elf64_Sym *sym = (const Elf64_Sym *)(v->p + s->sh_offset);
        for (uint64_t i = 0; i < s->sh_size / sizeof *sym; i++) {
            if (sym[i].st_name >= st->sh_size)
                return refuse(why, cap, "the compiled file's symbol names are malformed");
            const char *name = (const char *)v->p + st->sh_offset + sym[i].st_name;
            if (ELF64_ST_TYPE(sym[i].st_info) == STT_GNU_IFUNC && sym[i].st_shndx != SHN_UNDEF)
                return refuse(why, cap, "it defines an IFUNC symbol (a resolver runs while "
                                        "loading), which a script may not have");
            if (strcmp(name, "slab_strategy") || sym[i].st_shndx == SHN_UNDEF)
                continue;
            if (ELF64_ST_TYPE(sym[i].st_info) != STT_OBJECT ||
                ELF64_ST_BIND(sym[i].st_info) != STB_GLOBAL ||
                sym[i].st_size != sizeof(slab_strategy_def))
                return refuse(why, cap, "`slab_strategy` must be a global "
                                        "`const slab_strategy_def slab_strategy` (ABI 1)");
            found = 1;
        }
    }
    if (!found)
        return refuse(why, cap, "the script defines no `slab_strategy`: add `const "
                                "slab_strategy_def slab_strategy = {...};` or SLAB_STRATEGY(...)");
    return 1;
}

int slab__elf_check(const unsigned char *so, size_t n, char *why, size_t cap)
{
    elf_view v = {so, n, NULL, NULL, NULL};
    return check_header(&v, why, cap) && check_dynamic(&v, why, cap) &&
           check_sections(&v, why, cap) && check_symbols(&v, why, cap);
}
