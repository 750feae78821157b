import { DeleteOutlined, EditOutlined, LockOutlined, MailOutlined, PhoneOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Flex, Popconfirm, Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useState } from 'react';
import { isApiError } from '@/api/errors';
import type { Contact } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { ContactFormModal } from './ContactFormModal';
import { contactKeys, fetchAccountContacts, isMaskedValue, useDeleteContact } from './hooks';

/** A phone or e-mail as the API sent it; masked values say so instead of pretending to be links. */
export function PiiValue({ value, kind }: { value: string | null; kind: 'phone' | 'email' }) {
  const { t } = useI18n();
  if (!value) return <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;
  if (isMaskedValue(value)) {
    return (
      <Tooltip title={t('contact.maskedHint')}>
        <Typography.Text type="secondary" data-testid="masked-value" style={{ whiteSpace: 'nowrap' }}>
          <LockOutlined /> {value}
        </Typography.Text>
      </Tooltip>
    );
  }
  const href = kind === 'phone' ? `tel:${value.replace(/[^\d+]/g, '')}` : `mailto:${value}`;
  return (
    <Typography.Link href={href} style={{ whiteSpace: 'nowrap' }}>
      {kind === 'phone' ? <PhoneOutlined /> : <MailOutlined />} {value}
    </Typography.Link>
  );
}

/** The contacts of one account: list, add, edit, delete. */
export function ContactsPanel({ accountId, writable }: { accountId: string; writable: boolean }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const remove = useDeleteContact();
  const [editing, setEditing] = useState<Contact | null>(null);
  const [adding, setAdding] = useState(false);
  const fetchPage = useCallback((req: PageRequest) => fetchAccountContacts(accountId, req), [accountId]);
  const mayWrite = writable && can('account.write');

  const columns: ColumnsType<Contact> = [
    {
      title: t('contact.name'),
      key: 'name',
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          <Space size={6}>
            <Typography.Text strong>{c.name}</Typography.Text>
            {c.is_primary ? <Tag color="gold">{t('contact.primary')}</Tag> : null}
          </Space>
          {c.title ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {c.title}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    { title: t('contact.phone'), dataIndex: 'phone', render: (v: string | null) => <PiiValue value={v} kind="phone" /> },
    { title: t('contact.email'), dataIndex: 'email', responsive: ['md'], render: (v: string | null) => <PiiValue value={v} kind="email" /> },
    ...(mayWrite
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 96,
            render: (_: unknown, c: Contact) => (
              <Space size={0}>
                <Button type="text" size="small" icon={<EditOutlined />} aria-label={t('common.edit')} onClick={() => setEditing(c)} />
                <Popconfirm
                  title={t('contact.deleteConfirm', { name: c.name })}
                  okText={t('common.delete')}
                  cancelText={t('common.cancel')}
                  onConfirm={() =>
                    remove.mutateAsync(c.id).then(
                      () => message.success(t('common.deleted')),
                      (error: unknown) => message.error(isApiError(error) ? error.message : String(error)),
                    )
                  }
                >
                  <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <div data-testid="account-contacts">
      {mayWrite ? (
        <Flex justify="flex-end" style={{ marginBottom: 12 }}>
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="contact-add">
            {t('contact.add')}
          </Button>
        </Flex>
      ) : null}
      <CursorTable<Contact>
        testId="contacts-table"
        queryKey={contactKeys.ofAccount(accountId)}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(c) => c.id}
        emptyText={t('contact.empty')}
        pageSizes={[10, 20, 50]}
      />
      <ContactFormModal
        open={adding || editing !== null}
        accountId={accountId}
        contact={editing}
        onClose={() => {
          setAdding(false);
          setEditing(null);
        }}
      />
    </div>
  );
}
